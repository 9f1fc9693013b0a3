using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The sweeper's lease of a cluster: one node sweeps the shared store at a time, for as long as it keeps the
/// lease (renewed in the background, lapsing three sweep intervals, at least 30 s, after the node stops).
/// While the coordinator cannot be asked, nobody sweeps.
/// </summary>
internal sealed class ClusterSweepLease(IClusterCoordinator cluster, IOptions<EvictionOptions> options, MirrorMetrics metrics, ILogger<StoreSweeper> logger) : ISweepLease
{
    private IClusterLease? _lease;

    public async Task<bool> TryHoldAsync(CancellationToken cancellationToken)
    {
        if (_lease is { Lost.IsCancellationRequested: true })
        {
            await _lease.DisposeAsync();
            _lease = null;
        }

        if (_lease is not null)
        {
            return true;
        }

        var ttl = TimeSpan.FromTicks(Math.Max(options.Value.SweepInterval.Ticks * 3, TimeSpan.FromSeconds(30).Ticks));
        var attempt = await cluster.TryAcquireAsync("sweeper", cluster.Node, ttl, cancellationToken);
        if (attempt.Lease is null)
        {
            StorageLog.NotSweeping(logger, attempt.Unavailable ? "the cluster's coordinator cannot be asked" : $"{attempt.HeldBy} sweeps");
            return false;
        }

        _lease = attempt.Lease;
        metrics.SweepLeaseWon();
        return true;
    }

    public async Task ReleaseAsync()
    {
        // Once: a host may be stopped twice (a test server's factory stops it from Dispose and DisposeAsync).
        if (Interlocked.Exchange(ref _lease, null) is { } lease)
        {
            await lease.DisposeAsync();
        }
    }
}
