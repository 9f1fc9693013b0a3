using Microsoft.Extensions.Configuration;

namespace Mirror.Gateway.Configuration;

/// <summary>A YAML file, such as distribution's <c>config.yml</c>, as a configuration source.</summary>
internal sealed class YamlConfigurationSource : FileConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new YamlConfigurationProvider(this);
    }
}
