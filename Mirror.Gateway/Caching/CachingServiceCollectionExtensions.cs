using Microsoft.Extensions.Options;
using Mirror.Cache.Buckets;
using Mirror.Cache.Proofs;
using Mirror.Cache.Quota;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Caching;

/// <summary>The cache's options, read from distribution's configuration and validated at start.</summary>
internal static class CachingServiceCollectionExtensions
{
    public static IServiceCollection AddCacheOptions(this IServiceCollection services)
    {
        services.AddOptionsSetup<StoreOptions, CacheOptionsSetup>();
        services.AddOptionsSetup<EvictionOptions, CacheOptionsSetup>();
        services.AddOptionsSetup<TagOptions, CacheOptionsSetup>();
        services.AddOptionsSetup<BucketOptions, BucketOptionsSetup>();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        services.AddOptionsSetup<QuotaOptions, QuotaOptionsSetup>();

        // The proofs ask whether mirror.upstreams names registries beside the first (ProofOptions.OtherRegistries).
        services.AddOptions<ProofOptions>().Configure<IOptions<UpstreamsOptions>>((proofs, upstreams) => proofs.OtherRegistries = upstreams.Value.Others.Count > 0);
        return services;
    }
}
