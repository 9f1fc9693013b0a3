using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Flattens a YAML document into configuration keys: mappings nest with <c>:</c> (<c>proxy: {remoteurl: x}</c>
/// becomes <c>proxy:remoteurl</c>), sequences by index. Keys keep the file's spelling (configuration keys
/// are case-insensitive anyway), but for a colon, the configuration's separator, which a registry host's
/// port brings (<c>"registry.example:5000": {}</c>): it is escaped as <see cref="EscapedColon"/>.
/// </summary>
internal sealed class YamlConfigurationProvider(YamlConfigurationSource source) : FileConfigurationProvider(source)
{
    public const string EscapedColon = "%3A";

    public IEnumerable<string> Keys => Data.Keys;

    public override void Load(Stream stream)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StreamReader(stream));
        }
        catch (YamlException ex)
        {
            throw new FormatException($"{Source.Path}: not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (yaml.Documents.Count > 0)
        {
            Flatten(yaml.Documents[0].RootNode, null, data);
        }

        Data = data;
    }

    private static void Flatten(YamlNode node, string? prefix, Dictionary<string, string?> data)
    {
        switch (node)
        {
            case YamlMappingNode { Children.Count: 0 } when prefix is not null:
            case YamlSequenceNode { Children.Count: 0 } when prefix is not null:
                // An empty section (auth: {htpasswd: {}} or [] ) is still there: present, without a value.
                data[prefix] = null;
                break;
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = (((YamlScalarNode)key).Value ?? string.Empty).Replace(":", EscapedColon, StringComparison.Ordinal);
                    Flatten(value, prefix is null ? name : ConfigurationPath.Combine(prefix, name), data);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], ConfigurationPath.Combine(prefix ?? string.Empty, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
                }

                break;
            case YamlScalarNode scalar when prefix is not null:
                // "~", "null" and an empty plain scalar are YAML's null: the key is present without a value.
                data[prefix] = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" ? null : scalar.Value;
                break;
        }
    }
}
