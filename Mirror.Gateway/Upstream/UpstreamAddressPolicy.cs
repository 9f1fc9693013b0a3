using System.Net;
using System.Net.Sockets;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Where an upstream's connections may go, checked on every connection its client opens (redirects and
/// token realms included, which the upstream names, not the operator): an upstream on the public internet
/// never makes the mirror connect to a loopback, link-local, private or unique-local address, whatever its
/// redirects and challenges say, so a hostile or compromised registry cannot reach the mirror's network
/// (cloud metadata at 169.254.169.254, an admin port on 127.0.0.1). An upstream that is itself on such an
/// address is inside that network by the operator's choice, and its realm and redirects may be too. The
/// configured outbound proxies are always reachable.
/// </summary>
internal sealed class UpstreamAddressPolicy(string upstreamHost, IReadOnlyCollection<string> outboundProxies, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;

    /// <summary>Opens a connection for the handler to what <paramref name="context"/> names, to the addresses this policy allows.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var allowed = await AllowedAsync(endpoint.Host, cancellationToken);
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"{endpoint.Host} is on an internal address, and {upstreamHost} is not: the mirror does not go there");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses of <paramref name="host"/> a connection may go to.</summary>
    public async Task<IPAddress[]> AllowedAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await _resolve(host, cancellationToken);
        if (addresses.All(a => !IsInternal(a)) || outboundProxies.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return addresses;
        }

        var upstream = IPAddress.TryParse(upstreamHost.Trim('[', ']'), out var upstreamLiteral) ? [upstreamLiteral] : await _resolve(upstreamHost, cancellationToken);
        return upstream.Any(IsInternal) ? addresses : addresses.Where(a => !IsInternal(a)).ToArray();
    }

    /// <summary>Loopback, link-local, private (RFC 1918), shared (RFC 6598), unique-local and unspecified addresses.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        }

        var bytes = address.GetAddressBytes();
        return bytes[0] == 10
            || (bytes[0] == 172 && bytes[1] is >= 16 and <= 31)
            || (bytes[0] == 192 && bytes[1] == 168)
            || (bytes[0] == 169 && bytes[1] == 254)
            || (bytes[0] == 100 && bytes[1] is >= 64 and <= 127)
            || bytes[0] == 0;
    }
}
