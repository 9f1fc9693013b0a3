namespace Mirror.Gateway.Cluster;

/// <summary>
/// A cluster of mirrors over one store (distribution's <c>redis</c> section, and <c>mirror.cluster</c>):
/// with <see cref="Address"/> set, the nodes share their metadata and coordinate fills and sweeps on Redis.
/// Whether a node is one of a cluster is <see cref="IsCluster"/>, and nothing else: serving's composition, the
/// command line and their messages all ask it.
/// </summary>
internal sealed class ClusterOptions
{
    /// <summary>Redis, as <c>host:port</c> (<c>redis.addr</c>, or distribution 3's <c>redis.addrs</c> with one entry); default none: a single node.</summary>
    public string? Address { get; set; }

    /// <summary>The key <see cref="Address"/> was read from (<c>redis.addr</c> or <c>redis.addrs</c>), for messages that name it; none for a single node.</summary>
    public string? AddressKey { get; set; }

    /// <summary><c>redis.username</c>, for Redis ACLs; default none (Redis's <c>default</c> user).</summary>
    public string? Username { get; set; }

    /// <summary><c>redis.password</c>; default none.</summary>
    public string? Password { get; set; }

    /// <summary><c>redis.db</c>; default 0.</summary>
    public int Database { get; set; }

    /// <summary>Connecting to Redis (<c>redis.dialtimeout</c>); default 5 s.</summary>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A command's answer (<c>redis.readtimeout</c>, <c>redis.writetimeout</c>); default 1 s, so a Redis gone quiet does not hold requests.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>redis.tls.enabled</c>; default false.</summary>
    public bool Tls { get; set; }

    /// <summary>This node's name in leases, logs and metrics (<c>mirror.cluster.node</c>); default the host name and the listening port.</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>
    /// This node's address as the other nodes reach it (<c>mirror.cluster.url</c>), named in its fill leases so that
    /// the others stream a fill from it (with <c>storage.s3</c>); default <c>http://</c> (<c>https://</c> with
    /// <c>http.tls</c>) and <c>http.addr</c>'s host and port, the host name where that address is a wildcard.
    /// </summary>
    public Uri? Url { get; set; }

    /// <summary><c>http.secret</c>, which signs the nodes' requests to each other; required with <c>storage.s3</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>A cluster node: the configuration names a Redis, in either key.</summary>
    public bool IsCluster => !string.IsNullOrEmpty(Address);
}
