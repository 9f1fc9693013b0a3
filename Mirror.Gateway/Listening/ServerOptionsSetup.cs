using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Listening;

/// <summary>Reads where and how the mirror listens: distribution's <c>http</c> section (but <c>http.tls</c>, <see cref="Tls.TlsOptionsSetup"/>'s) and <c>mirror.limits</c> on clients.</summary>
internal sealed class ServerOptionsSetup(ConfigurationReader read) : IConfigureOptions<ServerOptions>
{
    public void Configure(ServerOptions options)
    {
        Addresses(options);
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
        Limits(options);
    }

    /// <summary><c>http.addr</c> and <c>http.debug.addr</c>.</summary>
    private void Addresses(ServerOptions options)
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
    }

    /// <summary><c>mirror.limits</c> on clients: connections, ranges a request, header time, and the minimum response rate.</summary>
    private void Limits(ServerOptions options)
    {
        options.MaxConnections = read.PositiveInt<ServerOptions>(ConfigurationKeys.MaxConnections) ?? options.MaxConnections;
        options.MaxRanges = read.PositiveInt<ServerOptions>(ConfigurationKeys.MaxRanges) ?? options.MaxRanges;
        options.HeaderTimeout = read.Duration<ServerOptions>(ConfigurationKeys.HeaderTimeout, allowZero: false) ?? options.HeaderTimeout;
        options.MinResponseGrace = read.Duration<ServerOptions>(ConfigurationKeys.MinResponseGrace, allowZero: false) ?? options.MinResponseGrace;
        if (read.Value(ConfigurationKeys.MinResponseRate) is { } rate)
        {
            // A size a second, with or without the "/s" (16KiB, 16KiB/s).
            options.MinResponseRate = ByteSize.TryParse(rate.EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? rate[..^2] : rate)
                ?? throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.MinResponseRate, rate, "is not a rate such as 16KiB/s, 1MB/s or 0 (off)");
        }
    }
}
