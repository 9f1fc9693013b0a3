using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Buckets;
using Mirror.Cache.Cluster;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Maintenance;
using Mirror.Cache.Manifests;
using Mirror.Cache.Pins;
using Mirror.Cache.Policy;
using Mirror.Cache.Proofs;
using Mirror.Cache.Referrers;
using Mirror.Cache.Quota;
using Mirror.Cache.Repositories;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Upstream;
using Mirror.Cache.Watch;
using StackExchange.Redis;

namespace Mirror.Cache;

/// <summary>
/// The cache's part of the composition: the store, its fills and resolvers, the sweeper, the start-up work,
/// and the owner of each fact (tags, tag lists, links, proofs, uses, the pull quota), chosen here once: the journals on a
/// single node (<see cref="AddMirrorCache"/>), Redis in a cluster (<see cref="AddMirrorCacheNode"/>).
/// </summary>
public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the cache of a single node: the journals in the store's metadata own every fact, and the pull
    /// quota is kept in memory (the upstream says it again on its next answer). Its options
    /// (<see cref="StoreOptions"/>, <see cref="EvictionOptions"/>, <see cref="TagOptions"/>, <see cref="FillOptions"/>,
    /// <see cref="ProofOptions"/>, <see cref="QuotaOptions"/>) are the host's to configure; an upstream's time bounds come with it
    /// (<see cref="Upstream.IBlobSource.FirstByteTimeout"/>).
    /// </summary>
    public static IServiceCollection AddMirrorCache(this IServiceCollection services)
    {
        services.AddCacheServices();
        services.AddSingleton<IClusterCoordinator, SingleNode>();
        services.AddSingleton<IObjectGuard, LocalObjectGuard>();
        services.AddSingleton<ISweepLease, SoleSweeper>();
        services.AddSingleton<ISharedFlight, SoleFlight>();
        services.AddSingleton<IFillRunner, SoleFillRunner>();
        services.AddSingleton<IUseLog>(sp => sp.GetRequiredService<UseJournal>());
        services.AddSingleton<IWatchLease, SoleWatcher>();
        services.AddSingleton<ITagStore>(sp => sp.GetRequiredService<TagJournal>());
        services.AddSingleton<ITagListStore>(sp => sp.GetRequiredService<TagListFiles>());
        services.AddSingleton<IRepositoryLinks>(sp => sp.GetRequiredService<LinkJournal>());
        services.AddSingleton<IContentProofs>(sp => sp.GetRequiredService<ProofJournal>());
        services.AddSingleton<IPullLedger>(sp => sp.GetRequiredService<PullLedger>());
        return services;
    }

    /// <summary>
    /// Registers the cache of <paramref name="node"/>, one node of a cluster on one store and the Redis the host
    /// registers as <see cref="IConnectionMultiplexer"/>: Redis holds the leases and owns every fact (the pull
    /// quota and its hold too), each node's
    /// journals (in its own part of the metadata directory) are its fallback while Redis is away, and seed a
    /// Redis that lost its records (<see cref="RecordSeeder"/>).
    /// </summary>
    public static IServiceCollection AddMirrorCacheNode(this IServiceCollection services, string node)
    {
        services.Configure<StoreOptions>(options => options.Node = node);
        services.AddCacheServices();
        services.AddSingleton<IClusterCoordinator>(sp => new RedisCoordinator(
            sp.GetRequiredService<IConnectionMultiplexer>(), node, sp.GetRequiredService<MirrorMetrics>(), sp.GetRequiredService<ILogger<RedisCoordinator>>()));
        services.AddSingleton<RedisRecords>();
        services.AddSingleton<IObjectGuard, ClusterObjectGuard>();
        services.AddSingleton<ISweepLease, ClusterSweepLease>();
        services.AddSingleton<ISharedFlight, ClusterFlight>();
        services.AddSingleton<IFillRunner, ClusterFillRunner>();
        services.AddSingleton<IWatchLease, ClusterWatchLease>();
        services.AddSingleton<IUseExchange, RedisUseExchange>();
        services.AddSingleton<ClusterUseLog>();
        services.AddSingleton<IUseLog>(sp => sp.GetRequiredService<ClusterUseLog>());
        services.AddSingleton<ClusterTags>();
        services.AddSingleton<ITagStore>(sp => sp.GetRequiredService<ClusterTags>());
        services.AddSingleton<ClusterTagLists>();
        services.AddSingleton<ITagListStore>(sp => sp.GetRequiredService<ClusterTagLists>());
        services.AddSingleton<ClusterLinks>();
        services.AddSingleton<IRepositoryLinks>(sp => sp.GetRequiredService<ClusterLinks>());
        services.AddSingleton<ClusterProofs>();
        services.AddSingleton<IContentProofs>(sp => sp.GetRequiredService<ClusterProofs>());
        services.AddSingleton<ClusterPullLedger>();
        services.AddSingleton<IPullLedger>(sp => sp.GetRequiredService<ClusterPullLedger>());
        services.AddHostedService<RecordSeeder>();
        return services;
    }

    /// <summary>What a single node and a cluster's node have alike.</summary>
    private static void AddCacheServices(this IServiceCollection services)
    {
        services.AddSingleton<MirrorMetrics>();
        services.AddSingleton<StoreLayout>();
        services.AddSingleton<StoreIndex>();
        services.AddSingleton<StoreScanner>();
        services.AddSingleton<UseJournal>();
        services.AddSingleton<DiskSpace>();

        // storage.s3 or the filesystem alone, chosen once here (BucketOptions.Bucket).
        services.AddSingleton<IContentBucket>(sp => sp.GetRequiredService<IOptions<BucketOptions>>().Value.Bucket is null
            ? new NoBucket()
            : new S3Bucket(sp.GetRequiredService<IOptions<BucketOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<S3Bucket>>()));
        services.AddSingleton<ObjectDeletes>();
        services.AddSingleton<BucketSweeper>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<ManifestStore>();
        services.AddSingleton<StorePins>();
        services.AddSingleton<IStorePins>(sp => sp.GetRequiredService<StorePins>());
        services.AddSingleton<StoreEvictor>();
        services.AddHostedService<StoreSweeper>();
        services.AddSingleton<TagJournal>();
        services.AddSingleton<TagListFiles>();
        services.AddSingleton<LinkJournal>();
        services.AddSingleton<ProofJournal>();
        services.AddSingleton<TagFreshness>();
        services.AddSingleton<CompanionKeeper>();
        services.AddSingleton<Provenance>();
        services.AddSingleton<PullLedger>();
        services.AddSingleton(sp => new PullQuota(
            sp.GetRequiredService<IPullLedger>(), sp.GetRequiredService<MirrorMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PullQuota>>()));
        services.AddSingleton<IPullBudget, PullBudget>();

        // The spent pulls leave the window as time passes, and a cluster's other nodes are heard: read again every few seconds.
        services.AddHostedService<QuotaRefresher>();
        services.AddSingleton(sp => new RepositoryCatalog(sp.GetRequiredService<IRepositoryLinks>(), sp.GetRequiredService<ITagStore>()));
        services.AddSingleton<FillPeers>();
        services.AddSingleton<BlobFillCoordinator>();
        services.AddSingleton(sp => new FillsInFlight(sp.GetRequiredService<BlobFillCoordinator>()));
        services.AddHostedService<FillProgressReporter>();
        services.AddSingleton(sp => new BlobCache(sp.GetRequiredService<BlobStore>(), sp.GetRequiredService<BlobFillCoordinator>(), sp.GetRequiredService<IRepositoryLinks>(), sp.GetRequiredService<Provenance>()));
        services.AddSingleton(sp => new ManifestResolver(
            sp.GetRequiredService<ManifestStore>(),
            sp.GetRequiredService<ITagStore>(),
            sp.GetRequiredService<TagFreshness>(),
            sp.GetRequiredService<IRepositoryLinks>(),
            sp.GetRequiredService<Provenance>(),
            sp.GetRequiredService<ISharedFlight>(),
            sp.GetRequiredService<CompanionKeeper>(),
            sp.GetRequiredService<PullQuota>(),
            sp.GetRequiredService<MirrorMetrics>(),
            sp.GetRequiredService<ILogger<ManifestResolver>>()));
        services.AddSingleton(sp => new PolicyGate(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PolicyOptions>>(),
            sp.GetRequiredService<ManifestResolver>(),
            sp.GetRequiredService<BlobCache>(),
            sp.GetRequiredService<MirrorMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PolicyGate>>()));
        services.AddSingleton(sp => new PolicyAudit(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PolicyOptions>>(),
            sp.GetRequiredService<ManifestStore>(),
            sp.GetRequiredService<BlobStore>(),
            sp.GetRequiredService<ITagStore>()));
        services.AddSingleton(sp => new ReferrersResolver(
            sp.GetRequiredService<ManifestResolver>(),
            sp.GetRequiredService<ManifestStore>(),
            sp.GetRequiredService<ITagStore>(),
            sp.GetRequiredService<TagFreshness>()));
        services.AddSingleton(sp => new TagListResolver(sp.GetRequiredService<ITagListStore>()));
        services.AddSingleton(sp => new StoreMaintenance(
            sp.GetRequiredService<StoreLayout>(),
            sp.GetRequiredService<StoreScanner>(),
            sp.GetRequiredService<StoreIndex>(),
            sp.GetRequiredService<ITagStore>(),
            sp.GetRequiredService<IRepositoryLinks>(),
            sp.GetRequiredService<StoreEvictor>(),
            sp.GetRequiredService<IStorePins>(),
            sp.GetRequiredService<IContentBucket>()));
        services.AddSingleton<WatchBoard>();
        services.AddSingleton(sp => new WatchStatus(
            sp.GetRequiredService<IOptions<WatchOptions>>(),
            sp.GetRequiredService<ITagStore>(),
            sp.GetRequiredService<StoreLayout>(),
            sp.GetRequiredService<WatchBoard>(),
            sp.GetRequiredService<IWatchLease>(),
            sp.GetRequiredService<IStorePins>()));
        services.AddHostedService<CacheStartup>();
    }

    /// <summary>
    /// Registers the watcher of <c>mirror.watch</c> (<see cref="WatchOptions"/>), which fetches through the host's
    /// upstreams (<see cref="IUpstreams"/>, the host's to register) within the pull budget
    /// (<see cref="IPullBudget"/>, which the cache registers: the quota each upstream has stated).
    /// </summary>
    public static IServiceCollection AddImageWatcher(this IServiceCollection services)
    {
        services.AddSingleton<WatchedImageFetch>();
        services.AddHostedService<ImageWatcher>();
        return services;
    }
}
