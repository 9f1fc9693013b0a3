using Microsoft.Extensions.Configuration;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads distribution's configuration (the YAML file, then <c>REGISTRY_*</c> variables over it) into the
/// ordinary .NET configuration, and translates the key that steers .NET's own logging (<c>log.level</c> to
/// <c>Logging</c>) so one set of options serves both worlds.
/// </summary>
internal static class DistributionConfiguration
{
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

        configuration.AddInMemoryCollection(derived);
    }

    public static bool IsLogLevel(string text) => LogLevels.ContainsKey(text);

    /// <summary>An absolute http or https URL, or <c>null</c>.</summary>
    public static Uri? TryParseRemoteUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            ? uri
            : null;

    /// <summary>The keys set in the YAML file or the environment that the mirror does not read, dotted.</summary>
    public static IEnumerable<string> UnknownKeys(IConfiguration configuration) =>
        ((configuration as IConfigurationRoot)?.Providers ?? [])
            .SelectMany(provider => provider switch
            {
                YamlConfigurationProvider yaml => yaml.Keys,
                RegistryEnvironmentConfigurationSource.Provider environment => environment.Keys,
                _ => [],
            })
            .Where(path => !ConfigurationKeys.IsKnownPath(path))
            .Select(ConfigurationKeys.Dotted)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// The settings under <see cref="ConfigurationKeys.Guarded"/> sections that the mirror does not implement,
    /// each named once (<c>http.tls.letsencrypt</c>, not each key under it), with why the start stops.
    /// </summary>
    public static IReadOnlyList<string> RefusedSettings(IConfiguration configuration) =>
        UnknownKeys(configuration)
            .Where(ConfigurationKeys.IsGuarded)
            .Select(ConfigurationKeys.SettingOf)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(setting => $"{setting}: {WhyRefused(setting)}")
            .ToList();

    private static string WhyRefused(string setting) => setting.ToLowerInvariant() switch
    {
        var watch when watch.StartsWith(ConfigurationKeys.Watch + ".", StringComparison.Ordinal) =>
            $"not a key of a {ConfigurationKeys.Watch} entry, which takes {string.Join(", ", ConfigurationKeys.WatchKeys)}",
        "http.tls.letsencrypt" => "ACME is not supported; give http.tls.certificate and http.tls.key, renewed in place by an ACME client such as certbot",
        "auth.silly" => "the silly access controller is for distribution's tests; use auth.htpasswd, auth.token or auth.upstream",
        "proxy.exec" => "credential helpers are not supported; give proxy.username and proxy.password",
        "redis.mastername" or "redis.sentinelusername" or "redis.sentinelpassword" or "redis.readonly" or "redis.routebylatency"
            or "redis.routerandomly" or "redis.maxredirects" => "Redis Sentinel and Redis Cluster are not supported; give one Redis in redis.addr",
        "redis.tls.certificate" or "redis.tls.key" or "redis.tls.rootcas" =>
            "client certificates and private CAs for Redis are not supported; redis.tls.enabled: true checks Redis against the system's CAs",
        "storage.s3.sessiontoken" => "give storage.s3.accesskey and storage.s3.secretkey, or leave both out for the AWS SDK's chain (AWS_SESSION_TOKEN is read there)",
        _ => "not a setting the mirror implements; it does not start rather than run without a security setting",
    };
}
