using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirror.Cache.Cluster;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Maintenance;
using Mirror.Cache.Manifests;
using Mirror.Cache.Proofs;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache;

/// <summary>The cache's part of the composition: the store, its fills and resolvers, the sweeper, and the start-up work.</summary>
public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the cache. Its options (<see cref="StoreOptions"/>, <see cref="EvictionOptions"/>,
    /// <see cref="TagOptions"/>, <see cref="FillOptions"/>, <see cref="ProofOptions"/>) are the host's to configure; an upstream's time
    /// bounds come with it (<see cref="Upstream.IBlobSource.FirstByteTimeout"/>).
    /// </summary>
    public static IServiceCollection AddMirrorCache(this IServiceCollection services)
    {
        services.AddSingleton<MirrorMetrics>();
        services.TryAddSingleton<IClusterCoordinator, SingleNode>();
        services.AddSingleton<StoreLayout>();
        services.AddSingleton<StoreIndex>();
        services.AddSingleton<StoreScanner>();
        services.AddSingleton<AccessJournal>();
        services.AddSingleton<IAccessLog>(sp => Shared<IUseExchange>(sp) is { } exchange
            ? new ClusterAccessLog(sp.GetRequiredService<AccessJournal>(), exchange, sp.GetRequiredService<MirrorMetrics>(), sp.GetRequiredService<TimeProvider>())
            : sp.GetRequiredService<AccessJournal>());
        services.AddSingleton<DiskSpace>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<ManifestStore>();
        services.AddSingleton<StoreEvictor>();
        services.AddHostedService<StoreSweeper>();
        services.AddSingleton(sp => new RepositoryLinks(
            sp.GetRequiredService<StoreLayout>(), sp.GetRequiredService<ILogger<RepositoryLinks>>(), Shared<IDistributedCache>(sp), sp.GetRequiredService<MirrorMetrics>()));
        services.AddSingleton(sp => new TagStore(
            sp.GetRequiredService<StoreLayout>(),
            sp.GetRequiredService<IOptions<TagOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TagStore>>(),
            Shared<IDistributedCache>(sp),
            sp.GetRequiredService<MirrorMetrics>()));
        services.AddSingleton<IContentProofs>(sp => Shared<IDistributedCache>(sp) is { } shared
            ? new ClusterProofs(shared, sp.GetRequiredService<MirrorMetrics>())
            : new ProofJournal(sp.GetRequiredService<StoreLayout>(), sp.GetRequiredService<ILogger<ProofJournal>>()));
        services.AddSingleton<Provenance>();
        services.AddSingleton<TagListStore>();
        services.AddSingleton(sp => new RepositoryCatalog(sp.GetRequiredService<RepositoryLinks>(), sp.GetRequiredService<TagStore>()));
        services.AddSingleton<BlobFillCoordinator>();
        services.AddSingleton(sp => new FillsInFlight(sp.GetRequiredService<BlobFillCoordinator>()));
        services.AddHostedService<FillProgressReporter>();
        services.AddSingleton(sp => new BlobCache(sp.GetRequiredService<BlobStore>(), sp.GetRequiredService<BlobFillCoordinator>(), sp.GetRequiredService<RepositoryLinks>(), sp.GetRequiredService<Provenance>()));
        services.AddSingleton(sp => new ManifestResolver(
            sp.GetRequiredService<ManifestStore>(),
            sp.GetRequiredService<TagStore>(),
            sp.GetRequiredService<RepositoryLinks>(),
            sp.GetRequiredService<Provenance>(),
            sp.GetRequiredService<MirrorMetrics>(),
            sp.GetRequiredService<ILogger<ManifestResolver>>(),
            new ClusterFlight(sp.GetRequiredService<IClusterCoordinator>(), sp.GetRequiredService<TimeProvider>())));
        services.AddSingleton(sp => new TagListResolver(sp.GetRequiredService<TagListStore>()));
        services.AddSingleton(sp => new StoreMaintenance(
            sp.GetRequiredService<StoreLayout>(),
            sp.GetRequiredService<StoreScanner>(),
            sp.GetRequiredService<StoreIndex>(),
            sp.GetRequiredService<TagStore>(),
            sp.GetRequiredService<RepositoryLinks>(),
            sp.GetRequiredService<StoreEvictor>()));
        services.AddHostedService<CacheStartup>();
        return services;
    }

    /// <summary>What the nodes of a cluster share (the host registers it with the coordinator); nothing on a single node.</summary>
    private static T? Shared<T>(IServiceProvider services)
        where T : class =>
        services.GetRequiredService<IClusterCoordinator>().Clustered ? services.GetService<T>() : null;
}
