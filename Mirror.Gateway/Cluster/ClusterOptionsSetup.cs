using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Listening;

namespace Mirror.Gateway.Cluster;

/// <summary>
/// Reads distribution's <c>redis</c> section, <c>mirror.cluster.node</c> and <c>mirror.cluster.url</c>: one Redis (a
/// seed list of more is refused: the mirror's leases need one), its credentials, database, timeouts and TLS, this
/// node's name and address, and (with <c>storage.s3</c>) the <c>http.secret</c> the nodes sign their requests with.
/// </summary>
internal sealed class ClusterOptionsSetup(ConfigurationReader read) : IConfigureOptions<ClusterOptions>
{
    /// <summary>As <c>auth.upstream</c> asks of <c>http.secret</c>: it grants another node's fills.</summary>
    private const int MinSecretLength = 32;

    /// <summary>
    /// The cluster options exactly as <see cref="IOptions{ClusterOptions}"/> holds them, for composition, which
    /// must take <see cref="ClusterOptions.IsCluster"/> before there is a container to ask.
    /// </summary>
    public static ClusterOptions ClusterOf(IConfiguration configuration)
    {
        var options = new ClusterOptions();
        new ClusterOptionsSetup(new ConfigurationReader(configuration)).Configure(options);
        return options;
    }

    /// <summary>
    /// <see cref="ClusterOf"/> for serving's composition. A <c>redis</c> section that cannot be read composes a
    /// node that never starts: the same error stops the start (the options are validated on start), reported
    /// with every other bad key rather than alone.
    /// </summary>
    public static ClusterOptions ComposedClusterOf(IConfiguration configuration)
    {
        try
        {
            return ClusterOf(configuration);
        }
        catch (OptionsValidationException)
        {
            return new ClusterOptions();
        }
    }

    public void Configure(ClusterOptions options)
    {
        Address(options);
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

        var listen = read.Value(ConfigurationKeys.HttpAddr) is { } addr ? ListenAddress.TryParse(addr) : null;
        options.Node = read.Value(ConfigurationKeys.ClusterNode) ?? $"{Environment.MachineName}:{listen?.Port ?? 5000}";
        options.Url = Url(listen);
        options.Secret = read.Value(ConfigurationKeys.HttpSecret);
        if (options.IsCluster && read.Has(ConfigurationKeys.S3) && (options.Secret?.Length ?? 0) < MinSecretLength)
        {
            // Fail closed: the nodes stream fills to each other only signed with it, and nothing unsigned is served.
            throw ConfigurationReader.Invalid<ClusterOptions>(ConfigurationKeys.HttpSecret, $"is {(options.Secret is null ? "not set" : $"{options.Secret.Length} characters")}; a cluster on storage.s3 signs its nodes' requests to each other with it: give every node the same secret of at least {MinSecretLength} characters (openssl rand -base64 32)");
        }
    }

    /// <summary><c>mirror.cluster.url</c>, or the listening address as the other nodes would reach it.</summary>
    private Uri Url(ListenAddress? listen)
    {
        if (read.Value(ConfigurationKeys.ClusterUrl) is { } url)
        {
            return Uri.TryCreate(url, UriKind.Absolute, out var given) && given.Scheme is "http" or "https" && given.AbsolutePath == "/" && string.IsNullOrEmpty(given.Query)
                ? given
                : throw ConfigurationReader.Invalid<ClusterOptions>(ConfigurationKeys.ClusterUrl, url, "is not an http:// or https:// URL of a host and port alone (http://10.0.0.5:5000)");
        }

        var host = listen?.Host is { Length: > 0 } named && named is not ("0.0.0.0" or "::" or "*" or "+") ? named : Environment.MachineName;
        var scheme = read.Has("http.tls") ? "https" : "http";
        return new UriBuilder(scheme, host, listen?.Port ?? 5000).Uri;
    }

    /// <summary>The one Redis, from <c>redis.addr</c> or distribution 3's <c>redis.addrs</c>, and the key it came from.</summary>
    private void Address(ClusterOptions options)
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
    }
}
