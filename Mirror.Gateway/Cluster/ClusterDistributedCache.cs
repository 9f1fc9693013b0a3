using Microsoft.Extensions.Caching.Distributed;
using Mirror.Cache.Cluster;
using StackExchange.Redis;

namespace Mirror.Gateway.Cluster;

/// <summary>
/// The cluster's shared records (tags, links) on Redis, through <see cref="IDistributedCache"/>, failing at
/// once while Redis is not connected, so a request waits on no timeout to fall back to what its node knows.
/// </summary>
internal sealed class ClusterDistributedCache(IDistributedCache redisCache, IConnectionMultiplexer redis) : IDistributedCache
{
    public byte[]? Get(string key) => Connected().Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Connected().GetAsync(key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Connected().Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Connected().SetAsync(key, value, options, token);

    public void Refresh(string key) => Connected().Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => Connected().RefreshAsync(key, token);

    public void Remove(string key) => Connected().Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => Connected().RemoveAsync(key, token);

    private IDistributedCache Connected() => redis.IsConnected ? redisCache : throw new ClusterUnavailableException("Redis is not connected");
}
