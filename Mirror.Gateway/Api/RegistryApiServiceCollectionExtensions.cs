using Microsoft.AspNetCore.DataProtection;
using Mirror.Gateway.Blobs;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Manifests;
using Mirror.Gateway.Proxy;
using Mirror.Gateway.Tags;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Api;

/// <summary>
/// The registry API: YARP routes <c>/v2</c> to the upstream clusters, and the <see cref="RegistryApiMiddleware"/>
/// in front of its forwarder answers manifests, blobs and tag lists from the cache.
/// </summary>
internal static class RegistryApiServiceCollectionExtensions
{
    public static IServiceCollection AddRegistryApi(this IServiceCollection services)
    {
        services.AddSingleton<CacheOutcomes>();
        services.AddSingleton<ManifestEndpoint>();
        services.AddSingleton<BlobEndpoint>();
        services.AddSingleton<TagListEndpoint>();

        // YARP registers data protection for session affinity, which the mirror does not use: keep its keys
        // in memory rather than writing a key ring to disk.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddReverseProxy().AddTransforms<RegistryTransformProvider>();
        services.AddSingleton<IProxyConfigProvider>(sp => UpstreamProxyConfig.Build(sp.GetRequiredService<IOptions<UpstreamsOptions>>().Value));
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        return services;
    }
}
