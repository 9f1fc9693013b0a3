using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads the mirror's options from configuration, key by key, so that a value it cannot parse stops the
/// start with a line that names the key (<see cref="OptionsValidationException"/>, reported by ValidateOnStart).
/// </summary>
internal sealed class MirrorOptionsSetup(IConfiguration configuration) :
    IConfigureOptions<UpstreamOptions>,
    IConfigureOptions<ServerOptions>,
    IConfigureOptions<StoreOptions>,
    IConfigureOptions<LogOptions>
{
    public void Configure(UpstreamOptions options)
    {
        if (Value(ConfigurationKeys.RemoteUrl) is { } remote)
        {
            options.RemoteUrl = DistributionConfiguration.TryParseRemoteUrl(remote)
                ?? throw Invalid<UpstreamOptions>(ConfigurationKeys.RemoteUrl, remote, "is not an absolute http:// or https:// URL");
        }

        options.Username = Value(ConfigurationKeys.Username) ?? options.Username;
        options.Password = Value(ConfigurationKeys.Password) ?? options.Password;
        if (Value(ConfigurationKeys.Ttl) is { } ttl)
        {
            options.Ttl = GoDuration.TryParse(ttl)
                ?? throw Invalid<UpstreamOptions>(ConfigurationKeys.Ttl, ttl, "is not a duration such as 30m, 168h or 0");
        }
    }

    public void Configure(ServerOptions options)
    {
        if (Value(ConfigurationKeys.HttpAddr) is { } addr)
        {
            options.Address = ListenAddress.TryParse(addr)
                ?? throw Invalid<ServerOptions>(ConfigurationKeys.HttpAddr, addr, "is not a listen address such as :5000 or 127.0.0.1:5000");
        }

        if (Value(ConfigurationKeys.DebugAddr) is { } debug)
        {
            options.DebugAddress = ListenAddress.TryParse(debug)
                ?? throw Invalid<ServerOptions>(ConfigurationKeys.DebugAddr, debug, "is not a listen address such as :5001 or 127.0.0.1:5001");
        }

        if (Value(ConfigurationKeys.MetricsPath) is { } path)
        {
            options.MetricsPath = path.StartsWith('/') && !path.StartsWith("/v2", StringComparison.Ordinal)
                ? path
                : throw Invalid<ServerOptions>(ConfigurationKeys.MetricsPath, path, "is not an absolute path outside /v2");
        }
    }

    public void Configure(StoreOptions options) =>
        options.RootDirectory = Value(ConfigurationKeys.RootDirectory) ?? options.RootDirectory;

    public void Configure(LogOptions options) =>
        options.Level = Value(ConfigurationKeys.LogLevel) ?? options.Level;

    /// <summary>Fails the start with one line naming <paramref name="key"/>, its value and what is wrong with it.</summary>
    internal static OptionsValidationException Invalid<T>(string key, string value, string problem) =>
        new(Options.DefaultName, typeof(T), [$"{key}: '{value}' {problem}"]);

    private string? Value(string key) => configuration[ConfigurationKeys.Path(key)] is { Length: > 0 } value ? value : null;
}
