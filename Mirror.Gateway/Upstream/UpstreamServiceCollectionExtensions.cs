using System.Net;
using Microsoft.Extensions.Options;
using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The one upstream pipeline, composed here: the named client <see cref="UpstreamClient.HttpClientName"/>
/// is a first-byte bound, the upstream's authentication and the request metrics in front of one connection
/// pool. The mirror's own fetches go through it as an <see cref="HttpClient"/>, YARP's forwarding through
/// the same handlers.
/// </summary>
internal static class UpstreamServiceCollectionExtensions
{
    public static IServiceCollection AddUpstream(this IServiceCollection services)
    {
        services.AddSingleton<UpstreamNames>();
        services.AddSingleton<UpstreamHealth>();
        services.AddSingleton<UpstreamAuthenticator>();
        services.AddSingleton<UpstreamClient>();
        services.AddTransient<FirstByteTimeoutHandler>();
        services.AddTransient<UpstreamAuthHandler>();
        services.AddTransient<UpstreamMetricsHandler>();
        services.AddHttpClient(UpstreamClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // Docker Hub redirects blob GETs to its CDN; the handler drops Authorization on a redirect.
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 5,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                ConnectTimeout = provider.GetRequiredService<IOptions<TimeoutOptions>>().Value.Connect,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddHttpMessageHandler<FirstByteTimeoutHandler>()
            .AddHttpMessageHandler<UpstreamAuthHandler>()
            .AddHttpMessageHandler<UpstreamMetricsHandler>()
            .RemoveAllLoggers();

        // Token realms are other hosts: their own client, bounded by the same timeouts.
        services.AddHttpClient(UpstreamAuthenticator.TokenClient, (provider, client) =>
            {
                var timeouts = provider.GetRequiredService<IOptions<TimeoutOptions>>().Value;
                client.Timeout = timeouts.Connect + timeouts.FirstByte;
            })
            .RemoveAllLoggers();
        return services;
    }
}
