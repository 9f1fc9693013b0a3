using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// One upstream registry and how to reach it: distribution's <c>proxy</c> section for docker.io, and each
/// entry of <c>mirror.upstreams</c>, keyed by the registry host clients write in image references.
/// </summary>
internal sealed class UpstreamOptions
{
    public static readonly Uri DockerHub = new("https://registry-1.docker.io");

    /// <summary>The host the <c>proxy</c> section's upstream stands for.</summary>
    public const string DockerIo = "docker.io";

    private static readonly HashSet<string> DockerHubHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "registry-1.docker.io", "index.docker.io", "docker.io", "registry.hub.docker.com",
    };

    /// <summary>
    /// The registry host clients name in image references (<c>ghcr.io</c>, <c>registry.example:5000</c>);
    /// <c>docker.io</c> for the <c>proxy</c> section, whatever its remote URL (which clients may name too).
    /// </summary>
    public string Host { get; set; } = DockerIo;

    /// <summary>The upstream's base URL (<c>proxy.remoteurl</c>, <c>mirror.upstreams.&lt;host&gt;.remoteurl</c>); default <c>https://registry-1.docker.io</c>, or <c>https://&lt;host&gt;</c>.</summary>
    public Uri RemoteUrl { get; set; } = DockerHub;

    /// <summary>The user the mirror authenticates as (<c>username</c>); default none, anonymous.</summary>
    public string? Username { get; set; }

    /// <summary>That user's password or access token (<c>password</c>).</summary>
    public string? Password { get; set; }

    /// <summary>A first name component added to every repository upstream (<c>prefix</c>), as Harbor's proxy-cache projects want; default none.</summary>
    public string? Prefix { get; set; }

    /// <summary>Within this long of a tag's last check it is served without asking (<c>tagttl</c>); default <c>mirror.tagttl</c>.</summary>
    public TimeSpan? TagTtl { get; set; }

    /// <summary>The upstream's bounds on waiting (<c>timeouts.connect</c>, <c>.firstbyte</c>, <c>.idle</c>); default <c>mirror.timeouts</c>.</summary>
    public TimeoutOptions Timeouts { get; set; } = new();

    /// <summary>Bounds on what the upstream's answers may make the mirror read (<c>mirror.limits</c>, for every upstream alike).</summary>
    public UpstreamLimits Limits { get; set; } = new();

    /// <summary>An outbound HTTP proxy for this upstream (<c>httpproxy</c>), over the environment's <c>HTTPS_PROXY</c> and <c>HTTP_PROXY</c>; default none.</summary>
    public Uri? OutboundProxy { get; set; }

    /// <summary>PEM CA certificates trusted, beside the system's, for this upstream's TLS (<c>cafile</c>); default none.</summary>
    public string? CaFile { get; set; }

    public bool HasCredentials => !string.IsNullOrEmpty(Username);

    /// <summary>Docker Hub keeps official images under <c>library/</c>; clients may ask for them without it.</summary>
    public bool IsDockerHub => DockerHubHosts.Contains(RemoteUrl.Host);

    /// <summary>The id of the YARP cluster (YARP's <c>ClusterId</c>) whose HTTP client is this upstream's, built from these options.</summary>
    public string ForwarderClusterId => "upstream/" + Host;
}
