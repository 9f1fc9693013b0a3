using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Cluster;
using StackExchange.Redis;

namespace Mirror.Gateway.Cluster;

/// <summary>
/// A cluster, when the parsed options say so (<see cref="ClusterOptions.IsCluster"/>: <c>redis.addr</c>, or
/// one <c>redis.addrs</c> entry): one connection to Redis, the coordinator of leases, the shared records
/// (<see cref="IDistributedCache"/>) and uses, and a readiness check. Without it, nothing: the cache's single
/// node stands.
/// </summary>
internal static class ClusterServiceCollectionExtensions
{
    public static IServiceCollection AddCluster(this IServiceCollection services, ClusterOptions cluster)
    {
        if (!cluster.IsCluster)
        {
            return services;
        }

        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClusterOptions>>().Value;
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
        });
        services.Replace(ServiceDescriptor.Singleton<IClusterCoordinator, RedisCoordinator>());
        services.AddSingleton<IUseExchange, RedisUseExchange>();
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
        {
            options.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
            options.InstanceName = RedisCoordinator.Prefix;
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisCache>(sp));
        services.Replace(ServiceDescriptor.Singleton<IDistributedCache>(sp => new ClusterDistributedCache(sp.GetRequiredService<RedisCache>(), sp.GetRequiredService<IConnectionMultiplexer>())));
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        return services;
    }
}
