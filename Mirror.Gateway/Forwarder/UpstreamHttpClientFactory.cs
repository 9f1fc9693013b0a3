using System.Net;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Forwarder;

/// <summary>
/// Builds the HTTP client of each upstream's YARP cluster the way YARP builds it (the outbound proxy, TLS and
/// connection settings), then adds what a registry upstream needs: redirects followed (Docker Hub sends blob
/// GETs to its CDN; the handler drops <c>Authorization</c> on a redirect), the upstream's connect timeout,
/// the environment's outbound proxy when the upstream names none, its <c>cafile</c>, the addresses its connections
/// may go to (<see cref="UpstreamAddressPolicy"/>), and the upstream pipeline: a first-byte bound, its
/// authentication and its request metrics. The client is handed to the registry, whose own fetches and
/// token requests all go through it (YARP forwards nothing: the registry API answers every request).
/// </summary>
internal sealed class UpstreamHttpClientFactory(MirroredRegistries registries, GatewayMetrics metrics, TimeProvider time, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger), IForwarderHttpClientFactory
{
    HttpMessageInvoker IForwarderHttpClientFactory.CreateClient(ForwarderHttpClientContext context)
    {
        var client = CreateClient(context);
        registries.ByForwarderCluster(context.ClusterId).Attach(client);
        return client;
    }

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var options = registries.ByForwarderCluster(context.ClusterId).Options;
        handler.AllowAutoRedirect = true;
        handler.MaxAutomaticRedirections = 5;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.ConnectTimeout = options.Timeouts.Connect;
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        var outboundProxies = new List<string>();
        if (options.OutboundProxy is { } named)
        {
            outboundProxies.Add(named.IdnHost);
            if (named.UserInfo.Length > 0)
            {
                // YARP's outbound proxy settings have no credentials: the login in the URL goes to the proxy here.
                var credentials = new CredentialCache();
                handler.Proxy = new WebProxy(OutboundProxy.WithoutUserInfo(named, credentials), BypassOnLocal: false) { Credentials = credentials };
                handler.UseProxy = true;
            }
        }
        else if (OutboundProxy.FromEnvironment() is { } environment)
        {
            handler.Proxy = environment;
            handler.UseProxy = true;
            outboundProxies.AddRange(environment.Hosts);
        }

        if (options.CaFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = new UpstreamCertificateTrust(options.CaFile).Validate;
        }

        handler.ConnectCallback = new UpstreamAddressPolicy(options.RemoteUrl.IdnHost, outboundProxies).ConnectAsync;
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        var registry = registries.ByForwarderCluster(context.ClusterId);
        return new FirstByteTimeoutHandler(registry.Options.Timeouts.FirstByte, time)
        {
            InnerHandler = new UpstreamAuthHandler(registry)
            {
                InnerHandler = new UpstreamMetricsHandler(metrics, registry) { InnerHandler = handler },
            },
        };
    }
}
