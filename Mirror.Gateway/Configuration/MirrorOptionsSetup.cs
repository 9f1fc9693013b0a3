using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mirror.Cache.Fills;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads the mirror's options from configuration, key by key, so that a value it cannot parse stops the
/// start with a line that names the key (<see cref="OptionsValidationException"/>, reported by ValidateOnStart).
/// </summary>
internal sealed class MirrorOptionsSetup(IConfiguration configuration) :
    IConfigureOptions<UpstreamOptions>,
    IConfigureOptions<ServerOptions>,
    IConfigureOptions<StoreOptions>,
    IConfigureOptions<LogOptions>,
    IConfigureOptions<EvictionOptions>,
    IConfigureOptions<TagOptions>,
    IConfigureOptions<TimeoutOptions>,
    IConfigureOptions<FillOptions>
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
    }

    public void Configure(EvictionOptions options)
    {
        options.Ttl = Duration<EvictionOptions>(ConfigurationKeys.Ttl) ?? options.Ttl;
        options.MaxSize = Size<EvictionOptions>(ConfigurationKeys.MaxSize) ?? options.MaxSize;
        options.MinFreeSpace = Size<EvictionOptions>(ConfigurationKeys.MinFreeSpace) ?? options.MinFreeSpace;
        options.SweepInterval = Duration<EvictionOptions>(ConfigurationKeys.SweepInterval, allowZero: false) ?? options.SweepInterval;
        if (Value(ConfigurationKeys.LowWatermark) is { } watermark)
        {
            options.LowWatermark = watermark.EndsWith('%')
                && double.TryParse(watermark[..^1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                && percent is > 0 and <= 100
                    ? percent / 100
                    : throw Invalid<EvictionOptions>(ConfigurationKeys.LowWatermark, watermark, "is not a percentage such as 90%");
        }
    }

    public void Configure(TagOptions options) => options.Ttl = Duration<TagOptions>(ConfigurationKeys.TagTtl) ?? options.Ttl;

    public void Configure(TimeoutOptions options)
    {
        options.Connect = Duration<TimeoutOptions>(ConfigurationKeys.ConnectTimeout, allowZero: false) ?? options.Connect;
        options.FirstByte = Duration<TimeoutOptions>(ConfigurationKeys.FirstByteTimeout, allowZero: false) ?? options.FirstByte;
        options.Idle = Duration<TimeoutOptions>(ConfigurationKeys.IdleTimeout, allowZero: false) ?? options.Idle;
    }

    public void Configure(FillOptions options)
    {
        options.FirstByteTimeout = Duration<FillOptions>(ConfigurationKeys.FirstByteTimeout, allowZero: false) ?? options.FirstByteTimeout;
        options.IdleTimeout = Duration<FillOptions>(ConfigurationKeys.IdleTimeout, allowZero: false) ?? options.IdleTimeout;
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

    private TimeSpan? Duration<T>(string key, bool allowZero = true)
    {
        if (Value(key) is not { } text)
        {
            return null;
        }

        return GoDuration.TryParse(text) is { } value && (allowZero || value > TimeSpan.Zero)
            ? value
            : throw Invalid<T>(key, text, allowZero ? "is not a duration such as 30s, 10m or 168h" : "is not a positive duration such as 30s or 10m");
    }

    private long? Size<T>(string key) =>
        Value(key) is { } text
            ? ByteSize.TryParse(text) ?? throw Invalid<T>(key, text, "is not a size such as 50GB, 512MiB or 1073741824")
            : null;

    private string? Value(string key) => configuration[ConfigurationKeys.Path(key)] is { Length: > 0 } value ? value : null;
}
