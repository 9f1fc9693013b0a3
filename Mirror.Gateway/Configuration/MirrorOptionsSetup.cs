using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Cluster;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads the mirror's options from configuration, key by key, so that a value it cannot parse stops the
/// start with a line that names the key (<see cref="OptionsValidationException"/>, reported by ValidateOnStart).
/// </summary>
internal sealed partial class MirrorOptionsSetup(ConfigurationReader read) :
    IConfigureOptions<UpstreamsOptions>,
    IConfigureOptions<ClusterOptions>,
    IConfigureOptions<ServerOptions>,
    IConfigureOptions<StoreOptions>,
    IConfigureOptions<LogOptions>,
    IConfigureOptions<EvictionOptions>,
    IConfigureOptions<TagOptions>,
    IConfigureOptions<FrontProxyOptions>
{
    public void Configure(UpstreamsOptions options)
    {
        var timeouts = Timeouts();
        var limits = Limits();
        var first = options.Default;
        first.RemoteUrl = Url(read, ConfigurationKeys.RemoteUrl) ?? first.RemoteUrl;
        first.Username = read.Value(ConfigurationKeys.Username) ?? first.Username;
        first.Password = read.Value(ConfigurationKeys.Password) ?? first.Password;
        first.Timeouts = timeouts;
        first.Limits = limits;
        Credentials(first, ConfigurationKeys.Username, ConfigurationKeys.Password);

        // The proxy section answers to these names; no entry of mirror.upstreams may take one.
        string[] taken = [UpstreamOptions.DockerIo, "index.docker.io", "registry-1.docker.io", first.RemoteUrl.Authority];
        var others = new List<UpstreamOptions>();
        foreach (var entry in read.Children(ConfigurationKeys.Upstreams))
        {
            var host = entry.Key.Replace(YamlConfigurationProvider.EscapedColon, ":", StringComparison.OrdinalIgnoreCase).ToLowerInvariant();
            var key = $"{ConfigurationKeys.Upstreams}.{host}";
            if (host == "*")
            {
                throw ConfigurationReader.Invalid<UpstreamsOptions>(key, "a catch-all upstream is not offered: name each registry host, so the mirror is no proxy to any host a client names");
            }

            if (!RegistryHost().IsMatch(host) || !MirroredRegistries.IsHost(host) || (host.Split(':') is [_, var port] && int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) is 0 or > 65535))
            {
                throw ConfigurationReader.Invalid<UpstreamsOptions>(key, "is not a registry host as image references name one, such as ghcr.io or registry.example:5000");
            }

            if (entry.Value is { Length: > 0 } value)
            {
                throw ConfigurationReader.Invalid<UpstreamsOptions>(key, value, "is a value; give the registry's settings as a map, such as {remoteurl: https://...} or {}");
            }

            if (taken.Contains(host, StringComparer.OrdinalIgnoreCase) || others.Any(o => o.Host == host))
            {
                throw ConfigurationReader.Invalid<UpstreamsOptions>(key, $"is already an upstream ({(others.Any(o => o.Host == host) ? "listed twice" : "the proxy section's")})");
            }

            others.Add(Upstream(read.Under(entry, key), host, timeouts, limits));
        }

        options.Others = others;
    }

    /// <summary>
    /// The cluster options exactly as <see cref="IOptions{ClusterOptions}"/> holds them, for composition, which
    /// must take <see cref="ClusterOptions.IsCluster"/> before there is a container to ask.
    /// </summary>
    public static ClusterOptions ClusterOf(IConfiguration configuration)
    {
        var options = new ClusterOptions();
        new MirrorOptionsSetup(new ConfigurationReader(configuration)).Configure(options);
        return options;
    }

    public void Configure(ClusterOptions options)
    {
        var addrs = read.List(ConfigurationKeys.RedisAddrs);
        var single = read.Value(ConfigurationKeys.RedisAddr);
        if (addrs.Count > 1 || (single is not null && addrs is [var other] && other != single))
        {
            // Distribution 3 takes a seed list for a Redis Cluster or Sentinel; the mirror's leases need one Redis.
            throw ConfigurationReader.Invalid<ClusterOptions>(ConfigurationKeys.RedisAddrs, string.Join(", ", addrs), "names more than one Redis; the mirror uses one: give one address");
        }

        options.Address = single ?? (addrs.Count > 0 ? addrs[0] : null);
        options.AddressKey = options.Address is null ? null : single is null ? ConfigurationKeys.RedisAddrs : ConfigurationKeys.RedisAddr;
        options.Username = read.Value(ConfigurationKeys.RedisUsername);
        options.Password = read.Value(ConfigurationKeys.RedisPassword);
        options.Database = read.Value(ConfigurationKeys.RedisDb) is { } db
            ? int.TryParse(db, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number < 16
                ? number
                : throw ConfigurationReader.Invalid<ClusterOptions>(ConfigurationKeys.RedisDb, db, "is not a database number from 0 to 15")
            : 0;
        options.DialTimeout = read.Duration<ClusterOptions>(ConfigurationKeys.RedisDialTimeout, allowZero: false) ?? options.DialTimeout;
        var readTimeout = read.Duration<ClusterOptions>(ConfigurationKeys.RedisReadTimeout, allowZero: false);
        var write = read.Duration<ClusterOptions>(ConfigurationKeys.RedisWriteTimeout, allowZero: false);
        options.CommandTimeout = readTimeout is null && write is null ? options.CommandTimeout : TimeSpan.FromTicks(Math.Max(readTimeout?.Ticks ?? 0, write?.Ticks ?? 0));
        options.Tls = read.Bool<ClusterOptions>(ConfigurationKeys.RedisTls) ?? options.Tls;
        if (options.Address is not null && !System.Text.RegularExpressions.Regex.IsMatch(options.Address, @"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$"))
        {
            throw ConfigurationReader.Invalid<ClusterOptions>(options.AddressKey!, options.Address, "is not host:port");
        }

        var port = read.Value(ConfigurationKeys.HttpAddr) is { } addr && ListenAddress.TryParse(addr) is { } listen ? listen.Port : 5000;
        options.Node = read.Value(ConfigurationKeys.ClusterNode) ?? $"{Environment.MachineName}:{port}";
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

    /// <summary><c>mirror.timeouts</c>: the <c>proxy</c> section's upstream's, and every other upstream's defaults.</summary>
    private TimeoutOptions Timeouts()
    {
        var options = new TimeoutOptions();
        options.Connect = read.Duration<TimeoutOptions>(ConfigurationKeys.ConnectTimeout, allowZero: false) ?? options.Connect;
        options.FirstByte = read.Duration<TimeoutOptions>(ConfigurationKeys.FirstByteTimeout, allowZero: false) ?? options.FirstByte;
        options.Idle = read.Duration<TimeoutOptions>(ConfigurationKeys.IdleTimeout, allowZero: false) ?? options.Idle;
        return options;
    }

    /// <summary><c>mirror.limits</c> on upstream answers, the same for every upstream.</summary>
    private UpstreamLimits Limits()
    {
        var limits = new UpstreamLimits();
        limits.TagListBytes = LimitSize(ConfigurationKeys.TagListBytes) ?? limits.TagListBytes;
        limits.TagListPages = read.PositiveInt<UpstreamsOptions>(ConfigurationKeys.TagListPages) ?? limits.TagListPages;
        limits.TokenBytes = LimitSize(ConfigurationKeys.TokenBytes) ?? limits.TokenBytes;
        return limits;
    }

    private long? LimitSize(string key) => read.Size<UpstreamsOptions>(key) switch
    {
        null => null,
        var size and > 0 and <= UpstreamLimits.MaxBytes => size,
        _ => throw ConfigurationReader.Invalid<UpstreamsOptions>(key, read.Value(key)!, "is not a size from 1B to 1GiB"),
    };

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
        options.MinResponseGrace = read.Duration<ServerOptions>(ConfigurationKeys.MinResponseGrace, allowZero: false) ?? options.MinResponseGrace;
        if (read.Value(ConfigurationKeys.MinResponseRate) is { } rate)
        {
            // A size a second, with or without the "/s" (16KiB, 16KiB/s).
            options.MinResponseRate = ByteSize.TryParse(rate.EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? rate[..^2] : rate)
                ?? throw ConfigurationReader.Invalid<ServerOptions>(ConfigurationKeys.MinResponseRate, rate, "is not a rate such as 16KiB/s, 1MB/s or 0 (off)");
        }
    }

    public void Configure(FrontProxyOptions options)
    {
        options.TrustedProxies = read.List(ConfigurationKeys.TrustedProxies).Select(Network).ToList();
        var location = read.Value(ConfigurationKeys.AccelLocation);
        if (read.Value(ConfigurationKeys.AccelHeader) is not { } header)
        {
            if (location is not null)
            {
                throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelHeader, $"is needed with {ConfigurationKeys.AccelLocation}");
            }

            return;
        }

        options.AccelHeader = AccelHeaders.Find(header)
            ?? throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelHeader, header, $"is not one of {string.Join(", ", AccelHeaders.All)}");
        if (options.TrustedProxies.Count == 0)
        {
            // A client that reached the mirror directly would take the header's empty body for the blob.
            throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelHeader, $"needs {ConfigurationKeys.TrustedProxies}: blobs are handed only to requests that came through those proxies");
        }

        if (location is not null)
        {
            var valid = AccelHeaders.TakesPath(options.AccelHeader)
                ? Path.IsPathFullyQualified(location)
                : location.StartsWith('/') && Uri.IsWellFormedUriString(location, UriKind.Relative) && !location.Contains('?', StringComparison.Ordinal);
            options.AccelLocation = valid && !location.Split('/').Contains("..")
                ? location
                : throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelLocation, location, AccelHeaders.TakesPath(options.AccelHeader)
                    ? $"is not an absolute directory path, as {options.AccelHeader} takes"
                    : $"is not a URI path such as {AccelHeaders.DefaultAccelLocation}, as {options.AccelHeader} takes");
        }
    }

    public void Configure(StoreOptions options) =>
        options.RootDirectory = read.Value(ConfigurationKeys.RootDirectory) ?? options.RootDirectory;

    public void Configure(LogOptions options) =>
        options.Level = read.Value(ConfigurationKeys.LogLevel) ?? options.Level;

    /// <summary>One entry of <c>mirror.upstreams</c>: its remote URL defaults to https:// and its host, its timeouts to <c>mirror.timeouts</c>.</summary>
    private static UpstreamOptions Upstream(ConfigurationReader entry, string host, TimeoutOptions timeouts, UpstreamLimits limits)
    {
        var upstream = new UpstreamOptions
        {
            Host = host,
            RemoteUrl = Url(entry, "remoteurl") ?? new Uri("https://" + host),
            Username = entry.Value("username"),
            Password = entry.Value("password"),
            TagTtl = entry.Duration<UpstreamsOptions>("tagttl"),
            Timeouts = new TimeoutOptions
            {
                Connect = entry.Duration<UpstreamsOptions>("timeouts.connect", allowZero: false) ?? timeouts.Connect,
                FirstByte = entry.Duration<UpstreamsOptions>("timeouts.firstbyte", allowZero: false) ?? timeouts.FirstByte,
                Idle = entry.Duration<UpstreamsOptions>("timeouts.idle", allowZero: false) ?? timeouts.Idle,
            },
            Limits = limits,
            HttpProxy = Url(entry, "httpproxy"),
            CaFile = entry.File<UpstreamsOptions>("cafile"),
        };
        if (entry.Value("prefix") is { } prefix)
        {
            upstream.Prefix = RepositoryName.TryParse(prefix)?.Value
                ?? throw ConfigurationReader.Invalid<UpstreamsOptions>(entry.Name("prefix"), prefix, "is not a repository name prefix such as dockerhub-proxy");
        }

        Credentials(upstream, entry.Name("username"), entry.Name("password"));
        return upstream;
    }

    private static Uri? Url(ConfigurationReader reader, string key) =>
        reader.Value(key) is { } text
            ? DistributionConfiguration.TryParseRemoteUrl(text) ?? throw ConfigurationReader.Invalid<UpstreamsOptions>(reader.Name(key), text, "is not an absolute http:// or https:// URL")
            : null;

    private static void Credentials(UpstreamOptions upstream, string username, string password)
    {
        if (upstream.HasCredentials != !string.IsNullOrEmpty(upstream.Password))
        {
            throw ConfigurationReader.Invalid<UpstreamsOptions>($"{username} and {password}", "set both or neither");
        }
    }

    /// <summary>
    /// An entry of <c>mirror.trustedproxies</c>: an address (a network of one) or a CIDR network with no bits
    /// set past its prefix. IPv4 is written in full, four parts: .NET also reads <c>10.1</c> as an address.
    /// </summary>
    private static IPNetwork Network(string text)
    {
        var address = text.Split('/')[0];
        var full = address.Contains(':', StringComparison.Ordinal) || address.Count(c => c == '.') == 3;
        if (full && !text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            return new IPNetwork(single, single.GetAddressBytes().Length * 8);
        }

        // IPNetwork.TryParse clears bits past the prefix (10.0.0.1/8 is 10.0.0.0/8); a typo is not trusted so.
        return full && IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(address, out var written) && network.BaseAddress.Equals(written)
            ? network
            : throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.TrustedProxies, text, "is not an IP address or a network such as 10.0.0.0/8 (with no bits set past its prefix)");
    }

    /// <summary>A host name or address with an optional port, as image references write registry hosts.</summary>
    [GeneratedRegex(@"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryHost();
}
