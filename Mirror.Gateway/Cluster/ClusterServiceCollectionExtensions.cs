using Microsoft.Extensions.Options;
using Mirror.Cache;
using Mirror.Cache.Blobs;
using StackExchange.Redis;

namespace Mirror.Gateway.Cluster;

/// <summary>
/// Single node or cluster, decided here once from the parsed options (<see cref="ClusterOptions.IsCluster"/>:
/// <c>redis.addr</c>, or one <c>redis.addrs</c> entry): a single node's cache, whose journals own every fact;
/// or a cluster node's, with one connection to Redis (which holds the leases and owns every fact) and a
/// readiness check.
/// </summary>
internal static class ClusterServiceCollectionExtensions
{
    public static IServiceCollection AddCache(this IServiceCollection services, ClusterOptions cluster)
    {
        if (!cluster.IsCluster)
        {
            return services.AddMirrorCache();
        }

        services.AddSingleton<IConnectionMultiplexer>(sp => Connect(sp.GetRequiredService<IOptions<ClusterOptions>>().Value));
        services.AddMirrorCacheNode(cluster.Node);
        services.AddOptions<FillPeerOptions>().Configure<IOptions<ClusterOptions>>((peers, options) => (peers.Address, peers.Secret) = (options.Value.Url, options.Value.Secret));
        services.AddSingleton<FillStreamEndpoint>();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        return services;
    }

    private static ConnectionMultiplexer Connect(ClusterOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Address!);
        configuration.User = options.Username;
        configuration.Password = options.Password;
        configuration.DefaultDatabase = options.Database;
        configuration.ConnectTimeout = (int)options.DialTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = configuration.SyncTimeout = (int)options.CommandTimeout.TotalMilliseconds;
        configuration.Ssl = options.Tls;
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName = options.Node;
        return ConnectionMultiplexer.Connect(configuration);
    }
}
