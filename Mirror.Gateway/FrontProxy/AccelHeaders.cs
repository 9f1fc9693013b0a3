namespace Mirror.Gateway.FrontProxy;

/// <summary>
/// The headers by which a front server sends a file for its upstream: nginx's <c>X-Accel-Redirect</c>, whose
/// value is a URI (of an <c>internal</c> location), and the <c>X-Sendfile</c> family (Apache's mod_xsendfile,
/// lighttpd), whose value is a path in the file system.
/// </summary>
internal static class AccelHeaders
{
    public const string AccelRedirect = "X-Accel-Redirect";
    public const string Sendfile = "X-Sendfile";
    public const string LighttpdSendFile = "X-LIGHTTPD-send-file";

    /// <summary>The location <c>deploy/nginx.conf</c> aliases to the store.</summary>
    public const string DefaultAccelLocation = "/_mirror_store/";

    public static readonly IReadOnlyList<string> All = [AccelRedirect, Sendfile, LighttpdSendFile];

    /// <summary>The header as the mirror writes it, or <c>null</c> when it is none of <see cref="All"/>.</summary>
    public static string? Find(string name) => All.FirstOrDefault(header => header.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the header's value is a file-system path rather than a URI.</summary>
    public static bool TakesPath(string header) => header != AccelRedirect;
}
