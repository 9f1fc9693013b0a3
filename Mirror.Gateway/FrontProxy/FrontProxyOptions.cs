using System.Net;

namespace Mirror.Gateway.FrontProxy;

/// <summary>
/// A reverse proxy in front of the mirror (nginx, Apache, lighttpd): whose forwarded headers are believed
/// (<c>mirror.trustedproxies</c>), and whether warm blobs are handed to it to send from the store
/// (<c>mirror.accel</c>). Default: no proxy is trusted and the mirror sends every byte itself.
/// </summary>
internal sealed class FrontProxyOptions
{
    /// <summary>
    /// The proxies whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are applied
    /// (<c>mirror.trustedproxies</c>: addresses, and CIDR networks such as <c>10.0.0.0/8</c>); default none,
    /// and forwarded headers are then ignored.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; set; } = [];

    /// <summary>
    /// The header that hands a committed blob to the front proxy (<c>mirror.accel.header</c>): one of
    /// <see cref="AccelHeaders"/>; default none, and the mirror sends blobs itself.
    /// </summary>
    public string? AccelHeader { get; set; }

    /// <summary>
    /// What the blob's path under the store's root is appended to (<c>mirror.accel.location</c>), ending in
    /// <c>/</c>: for <c>X-Accel-Redirect</c> a URI of an nginx <c>internal</c> location aliased to the store's
    /// root (default <c>/_mirror_store/</c>); for the <c>X-Sendfile</c> headers the store's root as a
    /// directory the front server can read (default the store's own root).
    /// </summary>
    public string? AccelLocation { get; set; }

    /// <summary>Whether <paramref name="address"/>, a connection's peer, is one of <see cref="TrustedProxies"/>.</summary>
    public bool Trusts(IPAddress? address) =>
        address is not null
        && TrustedProxies.Any(network => network.Contains(address) || (address.IsIPv4MappedToIPv6 && network.Contains(address.MapToIPv4())));
}
