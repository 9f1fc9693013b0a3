namespace Mirror.Gateway.FrontProxy;

/// <summary>
/// Set on a request whose connection came from one of <c>mirror.trustedproxies</c>, before the forwarded
/// headers replace the connection's address with the client's: only such a request may be answered with an
/// accel header, which a client reaching the mirror directly would take for an empty blob.
/// </summary>
internal sealed class TrustedPeerFeature
{
    public static readonly TrustedPeerFeature Instance = new();

    private TrustedPeerFeature()
    {
    }
}
