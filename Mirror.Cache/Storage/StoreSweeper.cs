using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirror.Cache.Storage;

/// <summary>
/// Runs the store's expiry and size budget: once the start-up index is complete (or failed), then every
/// <c>mirror.sweepinterval</c>, and as soon as a commit takes the store past <c>mirror.maxsize</c>. Each run
/// also saves the uses since the last run, so they are written in batches, never per request. In a
/// cluster every node saves its uses, and only the holder of the sweeper's lease (<see cref="ISweepLease"/>)
/// sweeps, after merging every node's uses (<see cref="IUseLog.CatchUp"/>); while the lease cannot be
/// asked for, nobody sweeps. Every node works out what is pinned before each run (<see cref="IStorePins"/>),
/// so each knows whether pins alone fill the budget and new content must not be stored. With a bucket, the
/// sweeping node then sweeps the bucket's objects its index does not hold (<see cref="BucketSweeper"/>).
/// </summary>
internal sealed class StoreSweeper(
    StoreEvictor evictor,
    BucketSweeper bucket,
    IStorePins pins,
    StoreIndex index,
    IUseLog uses,
    ISweepLease lease,
    IOptions<EvictionOptions> options,
    TimeProvider time,
    ILogger<StoreSweeper> logger) : BackgroundService
{
    private readonly SemaphoreSlim _overBudget = new(0, 1);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        uses.Save(index);
        await lease.ReleaseAsync();
    }

    public override void Dispose()
    {
        _overBudget.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        index.Added += SignalWhenOverBudget;
        try
        {
            try
            {
                await index.Loaded.WaitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Logged by the scan; what the index holds (content served since is in it) is still swept.
                StorageLog.SweepingPartialIndex(logger);
            }

            Task? overBudget = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                await pins.RefreshAsync(stoppingToken);
                if (await MaySweepAsync(stoppingToken))
                {
                    Sweep();
                    await SweepBucketAsync(stoppingToken);
                }

                uses.Save(index);

                // One wait for the signal at a time, kept across interval ticks, so no signal is lost.
                overBudget ??= _overBudget.WaitAsync(stoppingToken);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                if (await Task.WhenAny(Task.Delay(options.Value.SweepInterval, time, tick.Token), overBudget) == overBudget)
                {
                    overBudget = null;
                    await tick.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            index.Added -= SignalWhenOverBudget;
        }
    }

    /// <summary>Whether this node sweeps now: always alone; in a cluster while it holds the sweeper's lease, with every node's uses merged.</summary>
    private async Task<bool> MaySweepAsync(CancellationToken cancellationToken)
    {
        if (!await lease.TryHoldAsync(cancellationToken))
        {
            return false;
        }

        uses.CatchUp(index);
        return true;
    }

    /// <summary>Sweeps, and has the uses of what it removed forgotten (in a cluster, the cluster's record of them).</summary>
    private void Sweep()
    {
        List<EvictedContent> removed = [];
        evictor.Sweep(removed: removed.Add);
        uses.Forget(removed);
    }

    /// <summary>The bucket's objects no index here holds (with <c>storage.s3</c>); a bucket that fails is swept again next time.</summary>
    private async Task SweepBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await bucket.SweepAsync(cancellationToken);
        }
        catch (Exception ex) when (Buckets.S3Bucket.IsFault(ex))
        {
            StorageLog.BucketSweepFailed(logger, ex);
        }
    }

    private void SignalWhenOverBudget(ContentKind kind, DigestKey key)
    {
        if (evictor.OverBudget && _overBudget.CurrentCount == 0)
        {
            try
            {
                _overBudget.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another commit signalled first; one sweep serves both.
            }
        }
    }
}
