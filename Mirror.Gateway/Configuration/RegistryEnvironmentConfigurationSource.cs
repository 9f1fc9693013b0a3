using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Distribution's environment overrides: <c>REGISTRY_</c> followed by the configuration path in upper case
/// with <c>_</c> between levels, so <c>REGISTRY_PROXY_REMOTEURL</c> sets <c>proxy.remoteurl</c>.
/// </summary>
internal sealed class RegistryEnvironmentConfigurationSource : IConfigurationSource
{
    public const string Prefix = "REGISTRY_";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    internal sealed class Provider : ConfigurationProvider
    {
        public IEnumerable<string> Keys => Data.Keys;

        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                var name = (string)entry.Key;
                if (name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length > Prefix.Length)
                {
                    data[name[Prefix.Length..].ToLowerInvariant().Replace('_', ':')] = (string?)entry.Value;
                }
            }

            Data = data;
        }
    }
}
