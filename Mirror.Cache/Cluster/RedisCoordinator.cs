using Microsoft.Extensions.Logging;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The cluster's leases on Redis: <c>SET NX PX</c> takes one, a script that checks the holder's token
/// renews, changes and releases it, so no node ever touches a lease another node took after its own lapsed.
/// While Redis is not connected every question is answered at once as unavailable, and the node goes on alone.
/// </summary>
internal sealed class RedisCoordinator(IConnectionMultiplexer redis, string node, MirrorMetrics metrics, ILogger<RedisCoordinator> logger) : IClusterCoordinator
{
    public string Node => node;

    public async Task<LeaseAttempt> TryAcquireAsync(string name, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var key = RedisKeys.Lease(name);

        // A connection Redis just came back on may fail its first command: asked again before going alone.
        for (var attempt = 0; ; attempt++)
        {
            if (!redis.IsConnected)
            {
                return LeaseAttempt.CannotAsk;
            }

            try
            {
                var database = redis.GetDatabase();
                if (await database.StringSetAsync(key, RedisLease.Stamp(token, value), ttl, When.NotExists))
                {
                    return LeaseAttempt.Won(new RedisLease(database, key, token, ttl, metrics, logger));
                }

                var holder = await database.StringGetAsync(key);
                if (holder.HasValue)
                {
                    return LeaseAttempt.Lost(RedisLease.Unstamp(holder!));
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Failed(ex);
                if (attempt == 2)
                {
                    return LeaseAttempt.CannotAsk;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt), cancellationToken);
            }
        }
    }

    public async Task<string?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            throw new ClusterUnavailableException("Redis is not connected");
        }

        try
        {
            var value = await redis.GetDatabase().StringGetAsync(RedisKeys.Lease(name));
            return value.HasValue ? RedisLease.Unstamp(value!) : null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex);
            throw new ClusterUnavailableException(ex.Message, ex);
        }
    }

    private void Failed(Exception ex)
    {
        metrics.ClusterError();
        ClusterLog.RedisFailed(logger, ex.Message);
    }
}
