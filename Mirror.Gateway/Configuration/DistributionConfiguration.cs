using Microsoft.Extensions.Configuration;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads distribution's configuration (the YAML file, then <c>REGISTRY_*</c> variables over it) into the
/// ordinary .NET configuration, and translates the keys that steer .NET components (<c>log.level</c> to
/// <c>Logging</c>, <c>proxy.remoteurl</c> to the YARP cluster) so one set of options serves both worlds.
/// </summary>
internal static class DistributionConfiguration
{
    /// <summary>The YARP cluster the <c>/v2</c> route forwards to (appsettings.json's <c>ReverseProxy</c> section).</summary>
    public const string UpstreamDestinationAddress = "ReverseProxy:Clusters:upstream:Destinations:upstream:Address";

    private static readonly Dictionary<string, string> LogLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["error"] = "Error",
        ["warn"] = "Warning",
        ["warning"] = "Warning",
        ["info"] = "Information",
        ["debug"] = "Debug",
    };

    public static IReadOnlyCollection<string> LogLevelNames => LogLevels.Keys;

    public static void AddDistributionConfiguration(this IConfigurationManager configuration, string? path)
    {
        if (path is not null)
        {
            var source = new YamlConfigurationSource { Path = System.IO.Path.GetFullPath(path), Optional = false };
            source.ResolveFileProvider();
            configuration.Sources.Add(source);
        }

        configuration.Sources.Add(new RegistryEnvironmentConfigurationSource());

        var derived = new Dictionary<string, string?>();
        if (configuration[ConfigurationKeys.Path(ConfigurationKeys.LogLevel)] is { } level && LogLevels.TryGetValue(level, out var logLevel))
        {
            derived["Logging:LogLevel:Default"] = logLevel;
            derived["Logging:LogLevel:Mirror"] = logLevel;
        }

        if (TryParseRemoteUrl(configuration[ConfigurationKeys.Path(ConfigurationKeys.RemoteUrl)]) is { } remote)
        {
            derived[UpstreamDestinationAddress] = remote.ToString();
        }

        configuration.AddInMemoryCollection(derived);
    }

    public static bool IsLogLevel(string text) => LogLevels.ContainsKey(text);

    /// <summary>An absolute http or https URL, or <c>null</c>.</summary>
    public static Uri? TryParseRemoteUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            ? uri
            : null;

    /// <summary>The keys set in the YAML file or the environment that the mirror does not read, dotted.</summary>
    public static IEnumerable<string> UnknownKeys(IConfigurationRoot configuration) =>
        configuration.Providers
            .SelectMany(provider => provider switch
            {
                YamlConfigurationProvider yaml => yaml.Keys,
                RegistryEnvironmentConfigurationSource.Provider environment => environment.Keys,
                _ => [],
            })
            .Select(ConfigurationKeys.Dotted)
            .Where(key => !ConfigurationKeys.Known.Contains(key))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal);
}
