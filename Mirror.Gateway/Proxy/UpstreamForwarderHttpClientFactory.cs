using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// YARP's client for the upstream cluster: the upstream pipeline itself (first-byte bound, authentication,
/// metrics, the one connection pool), the same handlers the mirror's own fetches go through.
/// </summary>
internal sealed class UpstreamForwarderHttpClientFactory(IHttpMessageHandlerFactory handlers) : IForwarderHttpClientFactory
{
    public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context) =>
        new(handlers.CreateHandler(UpstreamClient.HttpClientName), disposeHandler: false);
}
