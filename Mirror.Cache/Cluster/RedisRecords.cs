using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// Redis as the facts' cluster implementations reach it: a command fails at once while Redis is not connected,
/// so a request waits on no timeout to fall back to its node's journal; a write that failed leaves this node's
/// records unsynced, and <see cref="RecordSeeder"/> writes them all again once Redis answers.
/// </summary>
internal sealed class RedisRecords(IConnectionMultiplexer redis, MirrorMetrics metrics)
{
    private int _unsynced;

    /// <summary>The database, or <see cref="ClusterUnavailableException"/> while Redis is not connected.</summary>
    public IDatabase Database => redis.IsConnected ? redis.GetDatabase() : throw new ClusterUnavailableException("Redis is not connected");

    /// <summary>A read failed: the node answers from its journal.</summary>
    public void ReadFailed() => metrics.ClusterError();

    /// <summary>A write failed: kept in the node's journal, and written to Redis at the next seeding.</summary>
    public void WriteFailed()
    {
        metrics.ClusterError();
        Volatile.Write(ref _unsynced, 1);
    }

    /// <summary>Whether a write failed since the last call.</summary>
    public bool TakeUnsynced() => Interlocked.Exchange(ref _unsynced, 0) == 1;
}
