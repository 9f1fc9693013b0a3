namespace Mirror.Gateway.Configuration;

/// <summary>
/// The keys the mirror reads, in distribution's dotted spelling (the README lists each with its default).
/// Any other key in the file or in <c>REGISTRY_*</c> is reported as unknown.
/// </summary>
internal static class ConfigurationKeys
{
    public const string Version = "version";
    public const string HttpAddr = "http.addr";
    public const string DebugAddr = "http.debug.addr";
    public const string MetricsPath = "http.debug.prometheus.path";
    public const string RootDirectory = "storage.filesystem.rootdirectory";
    public const string RemoteUrl = "proxy.remoteurl";
    public const string Username = "proxy.username";
    public const string Password = "proxy.password";
    public const string Ttl = "proxy.ttl";
    public const string LogLevel = "log.level";
    public const string TagTtl = "mirror.tagttl";
    public const string MaxSize = "mirror.maxsize";
    public const string LowWatermark = "mirror.lowwatermark";
    public const string MinFreeSpace = "mirror.minfreespace";
    public const string SweepInterval = "mirror.sweepinterval";
    public const string ConnectTimeout = "mirror.timeouts.connect";
    public const string FirstByteTimeout = "mirror.timeouts.firstbyte";
    public const string IdleTimeout = "mirror.timeouts.idle";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        Version, HttpAddr, DebugAddr, MetricsPath, RootDirectory, RemoteUrl, Username, Password, Ttl, LogLevel,
        TagTtl, MaxSize, LowWatermark, MinFreeSpace, SweepInterval, ConnectTimeout, FirstByteTimeout, IdleTimeout,
    };

    /// <summary>The .NET configuration path of a dotted key: <c>proxy.remoteurl</c> is <c>proxy:remoteurl</c>.</summary>
    public static string Path(string key) => key.Replace('.', ':');

    /// <summary>The dotted key of a .NET configuration path.</summary>
    public static string Dotted(string path) => path.Replace(':', '.');
}
