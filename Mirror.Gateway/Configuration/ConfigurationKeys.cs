namespace Mirror.Gateway.Configuration;

/// <summary>
/// The keys the mirror reads, in distribution's dotted spelling (docs/configuration.md lists each with its
/// default, docs/cluster.md the <c>redis</c> section's). Any other key in the file or in <c>REGISTRY_*</c> is
/// reported: as a warning in general, and as a start failure under the <see cref="Guarded"/> sections, where
/// ignoring a key could leave the mirror less secure than the configuration says.
/// </summary>
internal static class ConfigurationKeys
{
    public const string Version = "version";
    public const string HttpAddr = "http.addr";
    public const string HttpNet = "http.net";
    public const string HttpSecret = "http.secret";
    public const string Headers = "http.headers";
    public const string Http2Disabled = "http.http2.disabled";
    public const string DebugAddr = "http.debug.addr";
    public const string MetricsEnabled = "http.debug.prometheus.enabled";
    public const string MetricsPath = "http.debug.prometheus.path";
    public const string TlsCertificate = "http.tls.certificate";
    public const string TlsKey = "http.tls.key";
    public const string TlsClientCas = "http.tls.clientcas";
    public const string TlsClientAuth = "http.tls.clientauth";
    public const string TlsMinimum = "http.tls.minimumtls";
    public const string TlsCipherSuites = "http.tls.ciphersuites";
    public const string RootDirectory = "storage.filesystem.rootdirectory";
    public const string Filesystem = "storage.filesystem";
    public const string S3 = "storage.s3";
    public const string S3AccessKey = "storage.s3.accesskey";
    public const string S3SecretKey = "storage.s3.secretkey";
    public const string S3Region = "storage.s3.region";
    public const string S3RegionEndpoint = "storage.s3.regionendpoint";
    public const string S3ForcePathStyle = "storage.s3.forcepathstyle";
    public const string S3Bucket = "storage.s3.bucket";
    public const string S3Encrypt = "storage.s3.encrypt";
    public const string S3KeyId = "storage.s3.keyid";
    public const string S3Secure = "storage.s3.secure";
    public const string S3SkipVerify = "storage.s3.skipverify";
    public const string S3V4Auth = "storage.s3.v4auth";
    public const string S3ChunkSize = "storage.s3.chunksize";
    public const string S3RootDirectory = "storage.s3.rootdirectory";
    public const string S3StorageClass = "storage.s3.storageclass";
    public const string RedirectDisable = "storage.redirect.disable";
    public const string LocalDirectory = "mirror.localdirectory";
    public const string RemoteUrl = "proxy.remoteurl";
    public const string Username = "proxy.username";
    public const string Password = "proxy.password";
    public const string Ttl = "proxy.ttl";
    public const string CacheWriteTimeout = "proxy.cachewritetimeout";
    public const string LogLevel = "log.level";
    public const string AuthNone = "auth.none";
    public const string HtpasswdRealm = "auth.htpasswd.realm";
    public const string HtpasswdPath = "auth.htpasswd.path";
    public const string TokenRealm = "auth.token.realm";
    public const string TokenService = "auth.token.service";
    public const string TokenIssuer = "auth.token.issuer";
    public const string TokenRootCertBundle = "auth.token.rootcertbundle";
    public const string TokenJwks = "auth.token.jwks";
    public const string TokenSigningAlgorithms = "auth.token.signingalgorithms";
    public const string UpstreamAuthRealm = "auth.upstream.realm";
    public const string UpstreamAuthService = "auth.upstream.service";
    public const string UpstreamAuthTtl = "auth.upstream.ttl";
    public const string TagTtl = "mirror.tagttl";
    public const string MaxSize = "mirror.maxsize";
    public const string LowWatermark = "mirror.lowwatermark";
    public const string MinFreeSpace = "mirror.minfreespace";
    public const string SweepInterval = "mirror.sweepinterval";
    public const string ConnectTimeout = "mirror.timeouts.connect";
    public const string FirstByteTimeout = "mirror.timeouts.firstbyte";
    public const string IdleTimeout = "mirror.timeouts.idle";
    public const string MaxConnections = "mirror.limits.maxconnections";
    public const string MaxRanges = "mirror.limits.maxranges";
    public const string HeaderTimeout = "mirror.limits.headertimeout";
    public const string TagListBytes = "mirror.limits.taglistbytes";
    public const string TagListPages = "mirror.limits.taglistpages";
    public const string TokenBytes = "mirror.limits.tokenbytes";
    public const string MinResponseRate = "mirror.limits.minresponserate";
    public const string MinResponseGrace = "mirror.limits.minresponsegrace";
    public const string TrustedProxies = "mirror.trustedproxies";
    public const string AccelHeader = "mirror.accel.header";
    public const string AccelLocation = "mirror.accel.location";
    public const string QuotaReserve = "mirror.quota.reserve";

    /// <summary>How many blob fills watched images run at once.</summary>
    public const string WatchFills = "mirror.watchfills";

    /// <summary>Repository patterns whose content is never removed: a list.</summary>
    public const string Pin = "mirror.pin";

    /// <summary>The images kept warm: a list of maps, each with the <see cref="WatchKeys"/>.</summary>
    public const string Watch = "mirror.watch";

    /// <summary>The keys of one <see cref="Watch"/> entry; <c>platforms</c> is a list.</summary>
    public static readonly IReadOnlyList<string> WatchKeys = ["image", "interval", "platforms"];

    public const string RedisAddr = "redis.addr";
    public const string RedisAddrs = "redis.addrs";
    public const string RedisUsername = "redis.username";
    public const string RedisPassword = "redis.password";
    public const string RedisDb = "redis.db";
    public const string RedisDialTimeout = "redis.dialtimeout";
    public const string RedisReadTimeout = "redis.readtimeout";
    public const string RedisWriteTimeout = "redis.writetimeout";
    public const string RedisTls = "redis.tls.enabled";
    public const string ClusterNode = "mirror.cluster.node";
    public const string ClusterUrl = "mirror.cluster.url";

    /// <summary>The signature policy, a list of rules (<c>mirror.policy.0.repositories.0</c>, ...; <see cref="PolicyRuleKeys"/>).</summary>
    public const string Policy = "mirror.policy";

    /// <summary>The keys of one <see cref="Policy"/> rule, under its index; lists end in <c>.N</c>.</summary>
    public static readonly IReadOnlyList<string> PolicyRuleKeys = ["repositories", "allow", "sigstore", "sigstore.keys"];

    /// <summary>Verifications a rule may name that the mirror does not implement: each stops the start with its own line.</summary>
    public static readonly IReadOnlyList<string> PolicyUnsupported =
        ["sigstore.keyless", "sigstore.fulcio", "sigstore.rekor", "sigstore.certificate", "sigstore.identities", "sigstore.issuer", "notation"];

    /// <summary>The registries beside docker.io, a map keyed by host; each takes the <see cref="UpstreamKeys"/>.</summary>
    public const string Upstreams = "mirror.upstreams";

    /// <summary>The keys of one <see cref="Upstreams"/> entry, under its host.</summary>
    public static readonly IReadOnlyList<string> UpstreamKeys =
        ["remoteurl", "username", "password", "prefix", "tagttl", "timeouts.connect", "timeouts.firstbyte", "timeouts.idle", "httpproxy", "cafile", "quota.reserve"];

    /// <summary>
    /// Sections in which every key must be one the mirror implements: authentication, TLS, the upstreams
    /// (their credentials, proxies and CAs), Redis (its password and TLS) and the bucket (its credentials,
    /// encryption and TLS). A key there that the mirror
    /// ignored would serve content to clients the configuration meant to keep out, in clear, or past the
    /// egress proxy, so it stops the start. So does a mistyped key in a watched image's entry, which would
    /// otherwise spend pulls on platforms nobody asked for, or none on the tag it meant.
    /// </summary>
    public static readonly IReadOnlyList<string> Guarded = ["auth", "http.tls", "proxy", Upstreams, "redis", Policy, Watch, S3, "storage.redirect"];

    private static readonly HashSet<string> Scalars = new(StringComparer.OrdinalIgnoreCase)
    {
        Version, HttpAddr, HttpNet, Http2Disabled, DebugAddr, MetricsEnabled, MetricsPath,
        TlsCertificate, TlsKey, TlsClientAuth, TlsMinimum, RootDirectory, RemoteUrl, Username, Password, Ttl,
        LogLevel, AuthNone, HtpasswdRealm, HtpasswdPath, TokenRealm, TokenService, TokenIssuer, TokenRootCertBundle,
        TokenJwks, UpstreamAuthRealm, UpstreamAuthService, UpstreamAuthTtl, TagTtl, MaxSize, LowWatermark, MinFreeSpace, SweepInterval,
        ConnectTimeout, FirstByteTimeout, IdleTimeout, MaxConnections, MaxRanges, HeaderTimeout, AccelHeader, AccelLocation,
        TagListBytes, TagListPages, TokenBytes, WatchFills,
        MinResponseRate, MinResponseGrace, QuotaReserve,
        RedisAddr, RedisUsername, RedisPassword, RedisDb, RedisDialTimeout, RedisReadTimeout, RedisWriteTimeout, RedisTls, ClusterNode, ClusterUrl,
        S3AccessKey, S3SecretKey, S3Region, S3RegionEndpoint, S3ForcePathStyle, S3Bucket, S3Encrypt, S3KeyId, S3Secure, S3SkipVerify, S3V4Auth,
        S3ChunkSize, S3RootDirectory, S3StorageClass, RedirectDisable, LocalDirectory,

        // Accepted with no effect: how distribution copies objects within the bucket (the mirror never does).
        "storage.s3.multipartcopychunksize", "storage.s3.multipartcopymaxconcurrency", "storage.s3.multipartcopythresholdsize",

        // Accepted with no effect: distribution's connection pool and client tuning, 2's and 3's (one multiplexed
        // connection serves a node, and it is named after the node).
        "redis.pool.maxidle", "redis.pool.maxactive", "redis.pool.idletimeout",
        "redis.poolsize", "redis.poolfifo", "redis.pooltimeout", "redis.minidleconns", "redis.maxidleconns", "redis.maxactiveconns",
        "redis.connmaxidletime", "redis.connmaxlifetime", "redis.maxretries", "redis.minretrybackoff", "redis.maxretrybackoff",
        "redis.contexttimeoutenabled", "redis.clientname", "redis.protocol", "redis.disableidentity", "redis.identitysuffix", "redis.unstableresp3",

        // http.secret signs auth.upstream's tokens (AuthOptionsSetup) and the requests of a cluster's nodes to each
        // other (ClusterOptionsSetup); distribution signs its upload state with it, which a read-only mirror has none of.
        HttpSecret,

        // Accepted with no effect: distribution bounds its background cache writes with
        // proxy.cachewritetimeout (the mirror has none).
        CacheWriteTimeout,

        // Sections written empty (auth: {htpasswd: {}}) are keys of their own; what they lack is reported by their options.
        "auth.htpasswd", "auth.token", "auth.upstream", "http.tls", "mirror.accel",
    };

    /// <summary>Keys whose value is a list: <c>key.0</c>, <c>key.1</c>, ... (or one scalar).</summary>
    private static readonly string[] Lists = [TlsClientCas, TlsCipherSuites, TokenSigningAlgorithms, TrustedProxies, RedisAddrs, Pin];

    /// <summary>Keys whose value is a map of names the operator chooses.</summary>
    private static readonly string[] Maps = [Headers];

    /// <summary>Every section that holds a key the mirror reads (<c>auth</c>, <c>auth.htpasswd</c>, <c>http.tls</c>, ...).</summary>
    private static readonly HashSet<string> Sections = new(
        Scalars.Concat(Lists).Concat(Maps).SelectMany(key => Enumerable.Range(1, key.Count(c => c == '.')).Select(n => string.Join('.', key.Split('.').Take(n)))),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The setting an unknown key belongs to: the key cut after its first component outside every known
    /// section, so <c>http.tls.letsencrypt.email</c> is reported as <c>http.tls.letsencrypt</c>.
    /// </summary>
    public static string SettingOf(string key)
    {
        if (key.StartsWith(Upstreams + ".", StringComparison.OrdinalIgnoreCase) || key.StartsWith(Policy + ".", StringComparison.OrdinalIgnoreCase))
        {
            // Hosts have dots of their own, policy rules indexes: the key is named whole.
            return key;
        }

        if (key.StartsWith(Watch + ".", StringComparison.OrdinalIgnoreCase))
        {
            // An entry's key, by the entry's place in the list: mirror.watch.0.platform, not each item under it.
            return string.Join('.', key.Split('.').Take(4));
        }

        var parts = key.Split('.');
        var known = 0;
        while (known < parts.Length - 1 && Sections.Contains(string.Join('.', parts.Take(known + 1))))
        {
            known++;
        }

        return string.Join('.', parts.Take(known + 1));
    }

    /// <summary>
    /// Whether the mirror reads the key at the configuration <paramref name="path"/>: under
    /// <see cref="Upstreams"/> a host (whatever its dots) and one of <see cref="UpstreamKeys"/>, elsewhere
    /// as <see cref="IsKnown"/> says.
    /// </summary>
    public static bool IsKnownPath(string path)
    {
        var parts = path.Split(':');
        if (parts.Length >= 2 && string.Equals($"{parts[0]}.{parts[1]}", Upstreams, StringComparison.OrdinalIgnoreCase))
        {
            return parts.Length <= 3 || UpstreamKeys.Contains(string.Join('.', parts[3..]), StringComparer.OrdinalIgnoreCase);
        }

        if (parts.Length >= 2 && string.Equals($"{parts[0]}.{parts[1]}", Watch, StringComparison.OrdinalIgnoreCase))
        {
            return IsWatchEntryKey(parts[2..]);
        }

        return IsKnown(Dotted(path));
    }

    /// <summary>Whether the path under <see cref="Watch"/> is an entry (<c>0</c>), one of its <see cref="WatchKeys"/>, or an item of its <c>platforms</c>.</summary>
    private static bool IsWatchEntryKey(string[] parts) => parts switch
    {
        [] => true,
        [var entry] => IsIndex(entry),
        [var entry, var key] => IsIndex(entry) && WatchKeys.Contains(key, StringComparer.OrdinalIgnoreCase),
        [var entry, var key, var item] => IsIndex(entry) && key.Equals("platforms", StringComparison.OrdinalIgnoreCase) && IsIndex(item),
        _ => false,
    };

    private static bool IsIndex(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>Whether the mirror reads <paramref name="key"/> (dotted).</summary>
    public static bool IsKnown(string key) =>
        Scalars.Contains(key)
        || IsPolicyKey(key)
        || Lists.Any(list => key.Equals(list, StringComparison.OrdinalIgnoreCase) || IsListItem(key, list))
        || Maps.Any(map => key.StartsWith(map + ".", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="key"/> lies in a section where an unknown key stops the start.</summary>
    public static bool IsGuarded(string key) =>
        Guarded.Any(section => key.Equals(section, StringComparison.OrdinalIgnoreCase) || key.StartsWith(section + ".", StringComparison.OrdinalIgnoreCase));

    /// <summary>The .NET configuration path of a dotted key: <c>proxy.remoteurl</c> is <c>proxy:remoteurl</c>.</summary>
    public static string Path(string key) => key.Replace('.', ':');

    /// <summary>The dotted key of a .NET configuration path (a host's port, escaped in the path, restored).</summary>
    public static string Dotted(string path) => path.Replace(':', '.').Replace(YamlConfigurationProvider.EscapedColon, ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether <paramref name="key"/> is one of a <see cref="Policy"/> rule's (<c>mirror.policy.0.sigstore.keys.1</c>),
    /// or one the rule's reader refuses with its own line (<see cref="PolicyUnsupported"/>).
    /// </summary>
    private static bool IsPolicyKey(string key)
    {
        var parts = key.Split('.');
        if (parts.Length < 3 || !string.Equals($"{parts[0]}.{parts[1]}", Policy, StringComparison.OrdinalIgnoreCase) || !parts[2].All(char.IsAsciiDigit))
        {
            return parts.Length == 2 && string.Equals(key, Policy, StringComparison.OrdinalIgnoreCase);
        }

        var inRule = parts.Length == 3 ? string.Empty : string.Join('.', parts[3..]);
        var unindexed = inRule.Length > 0 && inRule.Split('.')[^1].All(char.IsAsciiDigit) ? inRule[..inRule.LastIndexOf('.')] : inRule;
        return inRule.Length == 0
            || PolicyRuleKeys.Contains(unindexed, StringComparer.OrdinalIgnoreCase)
            || PolicyUnsupported.Any(u => unindexed.Equals(u, StringComparison.OrdinalIgnoreCase) || unindexed.StartsWith(u + ".", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsListItem(string key, string list) =>
        key.Length > list.Length + 1 && key.StartsWith(list + ".", StringComparison.OrdinalIgnoreCase) && key[(list.Length + 1)..].All(char.IsAsciiDigit);
}
