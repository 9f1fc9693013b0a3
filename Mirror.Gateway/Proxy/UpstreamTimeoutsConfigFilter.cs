using Microsoft.Extensions.Options;
using Mirror.Cache.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// Gives YARP's upstream cluster the mirror's idle bound (<c>mirror.timeouts.idle</c>) as its activity
/// timeout, so forwarded requests and the mirror's own fetches wait on a silent upstream equally long.
/// </summary>
internal sealed class UpstreamTimeoutsConfigFilter(IOptions<TimeoutOptions> timeouts) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) =>
        ValueTask.FromResult(cluster with { HttpRequest = (cluster.HttpRequest ?? new ForwarderRequestConfig()) with { ActivityTimeout = timeouts.Value.Idle } });

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) => ValueTask.FromResult(route);
}
