using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Forwarder;

/// <summary>
/// YARP's configuration, built from the mirror's: one route for <c>/v2/</c>, on which the registry API
/// answers every request itself (YARP's forwarder behind it is never reached), and a YARP cluster per upstream
/// with its remote URL as the one destination, its <c>httpproxy</c> as its outbound proxy, and its
/// idle bound as the activity timeout: the YARP cluster's HTTP client is the upstream's, for the mirror's own requests.
/// </summary>
internal static class ForwarderConfig
{
    public const string RouteId = "registry";

    public static InMemoryConfigProvider Build(UpstreamsOptions upstreams)
    {
        var route = new RouteConfig
        {
            RouteId = RouteId,
            ClusterId = upstreams.Default.ForwarderClusterId,
            Match = new RouteMatch { Path = "/v2/{**rest}" },
        };
        return new InMemoryConfigProvider([route], upstreams.All.Select(YarpClusterOf).ToList());
    }

    private static ClusterConfig YarpClusterOf(UpstreamOptions upstream) => new()
    {
        ClusterId = upstream.ForwarderClusterId,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["upstream"] = new() { Address = upstream.RemoteUrl.ToString() },
        },
        HttpClient = new HttpClientConfig
        {
            // Named for this upstream, it is used for every request to it, loopback addresses included.
            WebProxy = upstream.OutboundProxy is null ? null : new WebProxyConfig { Address = upstream.OutboundProxy, BypassOnLocal = false },
        },
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = upstream.Timeouts.Idle },
    };
}
