namespace Mirror.Gateway.Hosting;

/// <summary>What the gateway says once at start (<see cref="GatewayStartup"/>). Event ids 2006, 2008, 2020, 2031, 2040, 2042 and 2043.</summary>
internal static partial class StartupLog
{
    [LoggerMessage(2006, LogLevel.Warning, "Unknown configuration key {Key}: the mirror does not use it")]
    public static partial void UnknownKey(ILogger logger, string key);

    [LoggerMessage(2008, LogLevel.Information, "Mirroring {Registry} from {Upstream} ({Credentials})")]
    public static partial void Mirroring(ILogger logger, string registry, Uri upstream, string credentials);

    [LoggerMessage(2020, LogLevel.Warning, "auth.{Mode} takes passwords, and http.tls is not set: unless TLS ends at a proxy in front of the mirror, they cross the network in clear")]
    public static partial void PasswordsInClear(ILogger logger, string mode);

    [LoggerMessage(2031, LogLevel.Information, "Behind a front proxy: forwarded headers believed from {Proxies}; warm blobs sent by it: {Accel}")]
    public static partial void BehindFrontProxy(ILogger logger, string proxies, string accel);

    [LoggerMessage(2040, LogLevel.Warning, "http.debug.addr {Address} listens beyond loopback with authentication on: it serves metrics, health and the status page (repository names, tags, upstream URLs) to anyone who reaches it, without credentials; bind it to 127.0.0.1, or keep it to the monitoring network")]
    public static partial void DebugAddressOpen(ILogger logger, string address);

    [LoggerMessage(2042, LogLevel.Debug, "Gave back {Mebibytes} MiB of the executable's start-up pages; what runs later is read again from the page cache")]
    public static partial void PagesReleased(ILogger logger, long mebibytes);

    [LoggerMessage(2043, LogLevel.Debug, "Kept the executable's start-up pages: {Reason}")]
    public static partial void PagesKept(ILogger logger, string reason);
}
