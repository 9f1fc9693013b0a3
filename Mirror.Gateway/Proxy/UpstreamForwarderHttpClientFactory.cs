using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Proxy;

/// <summary>YARP's client for the upstream cluster, with the mirror's upstream authentication and metrics in front.</summary>
internal sealed class UpstreamForwarderHttpClientFactory(UpstreamAuthenticator authenticator, MirrorMetrics metrics, UpstreamHealth health, IOptions<TimeoutOptions> timeouts, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = timeouts.Value.Connect;
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new UpstreamAuthHandler(authenticator)
        {
            InnerHandler = new UpstreamMetricsHandler(metrics, health) { InnerHandler = base.WrapHandler(context, handler) },
        };
}
