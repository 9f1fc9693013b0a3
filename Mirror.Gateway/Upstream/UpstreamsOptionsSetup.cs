using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Reads the upstreams: distribution's <c>proxy</c> section for docker.io, and each entry of
/// <c>mirror.upstreams</c>, keyed by a registry host no other entry (nor the <c>proxy</c> section) answers to;
/// <c>mirror.timeouts</c> are every upstream's defaults, <c>mirror.limits</c> on upstream answers every one's.
/// </summary>
internal sealed partial class UpstreamsOptionsSetup(ConfigurationReader read) : IConfigureOptions<UpstreamsOptions>
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
            var (host, key) = HostOf(entry);
            if (taken.Contains(host, StringComparer.OrdinalIgnoreCase) || others.Any(o => o.Host == host))
            {
                throw ConfigurationReader.Invalid<UpstreamsOptions>(key, $"is already an upstream ({(others.Any(o => o.Host == host) ? "listed twice" : "the proxy section's")})");
            }

            others.Add(Upstream(read.Under(entry, key), host, timeouts, limits));
        }

        options.Others = others;
    }

    /// <summary>The registry host an entry of <c>mirror.upstreams</c> is keyed by, and the entry's key for messages.</summary>
    private static (string Host, string Key) HostOf(IConfigurationSection entry)
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

        return (host, key);
    }

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
            OutboundProxy = Url(entry, "httpproxy"),
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

    /// <summary>A host name or address with an optional port, as image references write registry hosts.</summary>
    [GeneratedRegex(@"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryHost();
}
