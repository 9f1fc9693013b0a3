using Microsoft.AspNetCore.DataProtection;
using Mirror.Gateway.Blobs;
using Mirror.Gateway.Catalog;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Manifests;
using Mirror.Gateway.Forwarder;
using Mirror.Gateway.Referrers;
using Mirror.Gateway.Tags;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mirror.Gateway.Api;

/// <summary>
/// The registry API: YARP's route for <c>/v2</c>, on which the <see cref="RegistryApiMiddleware"/> answers
/// every request (manifests, blobs and tag lists from the cache, the catalog from the store), and YARP's
/// clusters, which give each upstream its HTTP client (<c>Forwarder/</c>).
/// </summary>
internal static class RegistryApiServiceCollectionExtensions
{
    public static IServiceCollection AddRegistryApi(this IServiceCollection services)
    {
        services.AddSingleton<CacheOutcomes>();
        services.AddSingleton<ManifestEndpoint>();
        services.AddSingleton<BlobEndpoint>();
        services.AddSingleton<TagListEndpoint>();
        services.AddSingleton<ReferrersEndpoint>();
        services.AddSingleton<CatalogEndpoint>();
        services.AddSingleton<RegistryApiMiddleware>();

        // YARP registers data protection for session affinity, which the mirror does not use: keep its keys
        // in memory rather than writing a key ring to disk.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddReverseProxy();
        services.AddSingleton<IProxyConfigProvider>(sp => ForwarderConfig.Build(sp.GetRequiredService<IOptions<UpstreamsOptions>>().Value));
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        return services;
    }
}
