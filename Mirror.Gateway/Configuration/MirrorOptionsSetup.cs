using Microsoft.Extensions.Options;
using Mirror.Gateway.Upstream;
using Mirror.Cache.Upstream;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads the mirror's options from configuration, key by key, so that a value it cannot parse stops the
/// start with a line that names the key (<see cref="OptionsValidationException"/>, reported by ValidateOnStart).
/// </summary>
internal sealed class MirrorOptionsSetup(ConfigurationReader read) :
    IConfigureOptions<UpstreamOptions>,
    IConfigureOptions<ServerOptions>,
    IConfigureOptions<StoreOptions>,
    IConfigureOptions<LogOptions>,
    IConfigureOptions<EvictionOptions>,
    IConfigureOptions<TagOptions>,
    IConfigureOptions<TimeoutOptions>
{
    public void Configure(UpstreamOptions options)
    {
        if (read.Value(ConfigurationKeys.RemoteUrl) is { } remote)
        {
            options.RemoteUrl = DistributionConfiguration.TryParseRemoteUrl(remote)
                ?? throw ConfigurationReader.Invalid<UpstreamOptions>(ConfigurationKeys.RemoteUrl, remote, "is not an absolute http:// or https:// URL");
        }

        options.Username = read.Value(ConfigurationKeys.Username) ?? options.Username;
        options.Password = read.Value(ConfigurationKeys.Password) ?? options.Password;
    }

    public void Configure(EvictionOptions options)
    {
        options.Ttl = read.Duration<EvictionOptions>(ConfigurationKeys.Ttl) ?? options.Ttl;
        options.MaxSize = read.Size<EvictionOptions>(ConfigurationKeys.MaxSize) ?? options.MaxSize;
        options.MinFreeSpace = read.Size<EvictionOptions>(ConfigurationKeys.MinFreeSpace) ?? options.MinFreeSpace;
        options.SweepInterval = read.Duration<EvictionOptions>(ConfigurationKeys.SweepInterval, allowZero: false) ?? options.SweepInterval;
        if (read.Value(ConfigurationKeys.LowWatermark) is { } watermark)
        {
            options.LowWatermark = watermark.EndsWith('%')
                && double.TryParse(watermark[..^1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                && percent is > 0 and <= 100
                    ? percent / 100
                    : throw ConfigurationReader.Invalid<EvictionOptions>(ConfigurationKeys.LowWatermark, watermark, "is not a percentage such as 90%");
        }
    }

    public void Configure(TagOptions options) => options.Ttl = read.Duration<TagOptions>(ConfigurationKeys.TagTtl) ?? options.Ttl;

    public void Configure(TimeoutOptions options)
    {
        options.Connect = read.Duration<TimeoutOptions>(ConfigurationKeys.ConnectTimeout, allowZero: false) ?? options.Connect;
        options.FirstByte = read.Duration<TimeoutOptions>(ConfigurationKeys.FirstByteTimeout, allowZero: false) ?? options.FirstByte;
        options.Idle = read.Duration<TimeoutOptions>(ConfigurationKeys.IdleTimeout, allowZero: false) ?? options.Idle;
    }

    public void Configure(ServerOptions options)
    {
        if (read.Value(ConfigurationKeys.HttpAddr) is { } addr)
        {
            options.Address = ListenAddress.TryParse(addr)
                ?? throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.HttpAddr, addr, "is not a listen address such as :5000 or 127.0.0.1:5000");
        }

        if (read.Value(ConfigurationKeys.DebugAddr) is { } debug)
        {
            options.DebugAddress = ListenAddress.TryParse(debug)
                ?? throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.DebugAddr, debug, "is not a listen address such as :5001 or 127.0.0.1:5001");

            // The debug listener is told apart by its port: it must have one of its own.
            if (options.DebugAddress.Port == options.Address.Port)
            {
                throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.DebugAddr, debug, $"uses the port of {ConfigurationKeys.HttpAddr}; give it another");
            }
        }

        if (read.Value(ConfigurationKeys.MetricsPath) is { } path)
        {
            options.MetricsPath = path.StartsWith('/') && !path.StartsWith("/v2", StringComparison.Ordinal)
                ? path
                : throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.MetricsPath, path, "is not an absolute path outside /v2");
        }

        if (read.Value(ConfigurationKeys.HttpNet) is { } net && !net.Equals("tcp", StringComparison.OrdinalIgnoreCase))
        {
            throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.HttpNet, net, "is not supported: the mirror listens on TCP only");
        }

        options.MetricsEnabled = read.Bool<ServerOptions>(ConfigurationKeys.MetricsEnabled) ?? options.MetricsEnabled;
        options.Headers = read.Map(ConfigurationKeys.Headers);
        options.Http2 = !(read.Bool<ServerOptions>(ConfigurationKeys.Http2Disabled) ?? !options.Http2);
        options.MaxConnections = read.PositiveInt<ServerOptions>(ConfigurationKeys.MaxConnections) ?? options.MaxConnections;
        options.HeaderTimeout = read.Duration<ServerOptions>(ConfigurationKeys.HeaderTimeout, allowZero: false) ?? options.HeaderTimeout;
    }

    public void Configure(StoreOptions options) =>
        options.RootDirectory = read.Value(ConfigurationKeys.RootDirectory) ?? options.RootDirectory;

    public void Configure(LogOptions options) =>
        options.Level = read.Value(ConfigurationKeys.LogLevel) ?? options.Level;
}
