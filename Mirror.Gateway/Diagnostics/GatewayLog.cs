using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Diagnostics;

/// <summary>The gateway's log lines. Event ids 2000-2999.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(2001, LogLevel.Warning, "The token realm {Realm} is not on the upstream's host {UpstreamHost} or its domain; asking it for a token without the configured credentials")]
    public static partial void RealmRefusedCredentials(ILogger logger, string realm, string upstreamHost);

    [LoggerMessage(2002, LogLevel.Warning, "The token realm {Realm} refused a token for {Scope} with status {Status}")]
    public static partial void TokenRefused(ILogger logger, string realm, string? scope, int status);

    [LoggerMessage(2003, LogLevel.Warning, "Could not get a token for {Scope} from {Realm}: {Reason}")]
    public static partial void TokenFetchFailed(ILogger logger, string realm, string? scope, string reason);

    [LoggerMessage(2004, LogLevel.Error, "The upstream's manifest for {Repository}@{Expected} hashes to {Actual}; not stored, not served")]
    public static partial void ManifestDigestMismatch(ILogger logger, RepositoryName repository, Digest expected, Digest actual);

    [LoggerMessage(2005, LogLevel.Warning, "Cut off the response for {Digest} at byte {Position}: {Reason}")]
    public static partial void ResponseAborted(ILogger logger, Digest digest, long position, string reason);

    [LoggerMessage(2006, LogLevel.Warning, "Unknown configuration key {Key}: the mirror does not use it")]
    public static partial void UnknownKey(ILogger logger, string key);

    [LoggerMessage(2007, LogLevel.Information, "Store at {Root}; removed {Count} temp files left by an earlier run")]
    public static partial void StoreOpened(ILogger logger, string root, int count);

    [LoggerMessage(2008, LogLevel.Information, "Mirroring {Registry} from {Upstream} ({Credentials})")]
    public static partial void Mirroring(ILogger logger, string registry, Uri upstream, string credentials);

    [LoggerMessage(2009, LogLevel.Information, "{Method} {Repository} {Endpoint} {Reference} {Status} {Bytes}B {DurationMs:0.0}ms {CacheResult} {Client}")]
    public static partial void Request(ILogger logger, string method, string repository, string endpoint, string reference, int status, long bytes, double durationMs, string cacheResult, string client);

    [LoggerMessage(2010, LogLevel.Debug, "{Method} {Path} {Status} {DurationMs:0.0}ms")]
    public static partial void OtherRequest(ILogger logger, string method, string path, int status, double durationMs);

    [LoggerMessage(2011, LogLevel.Information, "Store indexed: {Blobs} blobs and {Manifests} manifests, {Bytes} bytes")]
    public static partial void StoreIndexed(ILogger logger, long blobs, long manifests, long bytes);

    [LoggerMessage(2012, LogLevel.Warning, "Serving {Repository}:{Tag} as {Digest}, its last known digest: the upstream is {Reason}")]
    public static partial void ServedStale(ILogger logger, RepositoryName repository, string tag, Digest digest, string reason);

    [LoggerMessage(2013, LogLevel.Information, "Known from earlier runs: {Count} tags, {Links} repository-digest links")]
    public static partial void TagsLoaded(ILogger logger, int count, int links);

    [LoggerMessage(2014, LogLevel.Information, "TLS certificate {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}")]
    public static partial void CertificateLoaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(2015, LogLevel.Information, "TLS certificate renewed: new connections get {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}")]
    public static partial void CertificateReloaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(2016, LogLevel.Warning, "The TLS certificate {Path} changed but does not load ({Reason}); the previous one is still served")]
    public static partial void CertificateNotReloaded(ILogger logger, string path, string reason);

    [LoggerMessage(2017, LogLevel.Warning, "Failed {Scheme} login from {Address}")]
    public static partial void LoginFailed(ILogger logger, string scheme, string address);

    [LoggerMessage(2018, LogLevel.Information, "Re-read {Path}: {Users} users")]
    public static partial void HtpasswdReloaded(ILogger logger, string path, int users);

    [LoggerMessage(2019, LogLevel.Error, "{Path} changed and no longer parses ({Reason}); every login is refused until it is mended")]
    public static partial void HtpasswdRejected(ILogger logger, string path, string reason);

    [LoggerMessage(2020, LogLevel.Warning, "auth.{Mode} takes passwords, and http.tls is not set: unless TLS ends at a proxy in front of the mirror, they cross the network in clear")]
    public static partial void PasswordsInClear(ILogger logger, string mode);

    [LoggerMessage(2040, LogLevel.Warning, "http.debug.addr {Address} listens beyond loopback with authentication on: it serves metrics, health and the status page (repository names, tags, upstream URLs) to anyone who reaches it, without credentials; bind it to 127.0.0.1, or keep it to the monitoring network")]
    public static partial void DebugAddressOpen(ILogger logger, string address);

    [LoggerMessage(2051, LogLevel.Information, "{Method} {Repository} {Endpoint} {Reference} {Status} {Bytes}B {DurationMs:0.0}ms {CacheResult} {Client} on {Node}")]
    public static partial void RequestOnNode(ILogger logger, string method, string repository, string endpoint, string reference, int status, long bytes, double durationMs, string cacheResult, string client, string node);

    [LoggerMessage(2030, LogLevel.Debug, "{Digest} handed to the front proxy: {Header}: {Target}")]
    public static partial void HandedToFrontProxy(ILogger logger, Digest digest, string header, string target);

    [LoggerMessage(2031, LogLevel.Information, "Behind a front proxy: forwarded headers believed from {Proxies}; warm blobs sent by it: {Accel}")]
    public static partial void BehindFrontProxy(ILogger logger, string proxies, string accel);
}
