using Microsoft.Extensions.Logging;
using Mirror.Cache.Diagnostics;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Proxy;

/// <summary>YARP's client for the upstream cluster, with the mirror's upstream authentication and metrics in front.</summary>
internal sealed class UpstreamForwarderHttpClientFactory(UpstreamAuthenticator authenticator, MirrorMetrics metrics, UpstreamHealth health, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new UpstreamAuthHandler(authenticator)
        {
            InnerHandler = new UpstreamMetricsHandler(metrics, health) { InnerHandler = base.WrapHandler(context, handler) },
        };
}
