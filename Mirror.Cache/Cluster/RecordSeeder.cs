using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Cluster;

/// <summary>
/// Keeps Redis holding what this node knows. Redis is the cluster's truth only while it keeps its records: a
/// Redis restarted without persistence, flushed, or evicting under <c>maxmemory</c> has lost them, and the
/// nodes' journals have not. Every few seconds the node reads the records' generation (one <c>GET</c>):
/// when it is gone or is not the one this node last seeded, or when a write of this node failed since,
/// the node writes every tag, tag list, link, proof and use its journals hold (each fact merges: a later
/// record is never overwritten). At start, too, since the records may have been lost while it was down.
/// </summary>
internal sealed class RecordSeeder(
    RedisRecords redis,
    ClusterTags tags,
    ClusterTagLists lists,
    ClusterLinks links,
    ClusterProofs proofs,
    ClusterUseLog uses,
    StoreIndex index,
    TimeProvider time,
    ILogger<RecordSeeder> logger) : BackgroundService
{
    /// <summary>How often the generation is read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private string? _seeded;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await SeedIfLostAsync(stoppingToken);
                }
                catch (ClusterUnavailableException)
                {
                    // Not connected: nothing was asked. Seeded again once Redis is back, whatever it kept.
                    _seeded = null;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Asked again at the next round, from the start.
                    redis.ReadFailed();
                    _seeded = null;
                }

                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Seeds Redis from this node's journals when its records are not the ones this node last seeded, or a write failed since.</summary>
    public async Task SeedIfLostAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var generation = (string?)await database.StringGetAsync(RedisKeys.Generation);
        if (generation is null)
        {
            await database.StringSetAsync(RedisKeys.Generation, Guid.NewGuid().ToString("N"), when: StackExchange.Redis.When.NotExists);
            generation = (string?)await database.StringGetAsync(RedisKeys.Generation);
        }

        // Both taken: a write failing during the seeding is written again at the next round.
        var unsynced = redis.TakeUnsynced() | uses.TakeUnsynced();
        if (generation == _seeded && !unsynced)
        {
            return;
        }

        var reason = _seeded is null ? "this node started, or Redis came back" : generation != _seeded ? "Redis lost its records" : "a write failed";
        var tagCount = await tags.SeedAsync(cancellationToken);
        var listCount = await lists.SeedAsync(cancellationToken);
        var linkCount = await links.SeedAsync(cancellationToken);
        var proofCount = await proofs.SeedAsync(cancellationToken);
        var useCount = await SeedUsesAsync(cancellationToken);
        _seeded = generation;
        ClusterLog.RecordsSeeded(logger, reason, tagCount, listCount, linkCount, proofCount, useCount);
    }

    private async Task<int> SeedUsesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await index.Loaded.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Logged by the scan: what the index holds is seeded.
        }

        return await uses.SeedAsync(index, cancellationToken);
    }
}
