using System.Net;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The outbound proxy from the environment, read as Go reads it (golang.org/x/net/http/httpproxy), so the
/// mirror goes through the same proxy distribution would with the same variables: <c>HTTPS_PROXY</c> for
/// https requests and <c>HTTP_PROXY</c> for http (upper case before lower), a proxy URL without a scheme is
/// http, and <c>NO_PROXY</c> lists what goes direct: <c>*</c> for everything, IP addresses, CIDR ranges,
/// and domains (<c>example.com</c> with its subdomains, <c>.example.com</c> subdomains only), each with an
/// optional port. <c>localhost</c> and loopback addresses always go direct. A proxy URL's <c>user:password@</c>
/// is sent to that proxy (Basic). .NET's own environment proxy differs on the NO_PROXY rules, hence this.
/// </summary>
internal sealed class OutboundProxy : IWebProxy
{
    private readonly Uri? _http;
    private readonly Uri? _https;
    private readonly string[] _noProxy;

    public OutboundProxy(Uri? http, Uri? https, string? noProxy)
    {
        var credentials = new CredentialCache();
        _http = WithoutUserInfo(http, credentials);
        _https = WithoutUserInfo(https, credentials);
        Credentials = credentials;
        _noProxy = (noProxy ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    public ICredentials? Credentials { get; set; }

    /// <summary>The proxies' hosts.</summary>
    public IEnumerable<string> Hosts => new[] { _http, _https }.OfType<Uri>().Select(proxy => proxy.IdnHost);

    /// <summary>The proxy's URL without its <c>user:password@</c>, which goes to <paramref name="credentials"/> for that proxy instead.</summary>
    public static Uri? WithoutUserInfo(Uri? proxy, CredentialCache credentials)
    {
        if (proxy is null || proxy.UserInfo.Length == 0)
        {
            return proxy;
        }

        var bare = new UriBuilder(proxy) { UserName = string.Empty, Password = string.Empty }.Uri;
        var colon = proxy.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? proxy.UserInfo : proxy.UserInfo[..colon]);
        var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(proxy.UserInfo[(colon + 1)..]);
        if (credentials.GetCredential(bare, AuthChallenge.Basic) is null)
        {
            credentials.Add(bare, AuthChallenge.Basic, new NetworkCredential(user, password));
        }

        return bare;
    }

    /// <summary>The proxy the environment names; <c>null</c> when it names none.</summary>
    public static OutboundProxy? FromEnvironment()
    {
        var http = ParseProxy(Variable("HTTP_PROXY"));
        var https = ParseProxy(Variable("HTTPS_PROXY"));
        return http is null && https is null ? null : new OutboundProxy(http, https, Variable("NO_PROXY"));
    }

    public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? null : ProxyFor(destination);

    public bool IsBypassed(Uri host) => ProxyFor(host) is null || !UsesProxy(host.IdnHost, host.Port);

    internal static Uri? ParseProxy(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        return Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri : null;
    }

    private static string? Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } upper ? upper : Environment.GetEnvironmentVariable(name.ToLowerInvariant());

    private Uri? ProxyFor(Uri destination) => destination.Scheme == Uri.UriSchemeHttps ? _https : _http;

    private bool UsesProxy(string host, int port)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (host == "localhost" || (address is not null && IPAddress.IsLoopback(address)))
        {
            return false;
        }

        return !_noProxy.Any(entry => GoesDirect(entry, host, address, port));
    }

    /// <summary>Whether one <c>NO_PROXY</c> entry sends <paramref name="host"/> direct: <c>*</c>, a CIDR range, an address, or a domain, each with an optional port.</summary>
    private static bool GoesDirect(string entry, string host, IPAddress? address, int port)
    {
        if (entry == "*")
        {
            return true;
        }

        if (entry.Contains('/', StringComparison.Ordinal))
        {
            return address is not null && IPNetwork.TryParse(entry, out var network) && network.Contains(address);
        }

        var (name, entryPort) = SplitPort(entry.ToLowerInvariant());
        if (entryPort is { } only && only != port)
        {
            return false;
        }

        if (IPAddress.TryParse(name.Trim('[', ']'), out var entryAddress))
        {
            return address is not null && entryAddress.Equals(address);
        }

        name = name.StartsWith("*.", StringComparison.Ordinal) ? name[1..] : name;
        return name.StartsWith('.')
            ? host.EndsWith(name, StringComparison.Ordinal)
            : host == name || host.EndsWith("." + name, StringComparison.Ordinal);
    }

    /// <summary>An entry's port, when it has one: <c>example.com:443</c>, <c>[::1]:80</c>; a bare IPv6 address has none.</summary>
    private static (string Name, int? Port) SplitPort(string entry)
    {
        var colon = entry.LastIndexOf(':');
        var portless = colon < 0 || entry.EndsWith(']') || (entry.IndexOf(':', StringComparison.Ordinal) != colon && !entry.StartsWith('['));
        return !portless && int.TryParse(entry.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? (entry[..colon], port)
            : (entry, null);
    }
}
