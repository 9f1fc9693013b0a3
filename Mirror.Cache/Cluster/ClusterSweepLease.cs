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
    private readonly RoleLease _role = new(cluster, "sweeper", TimeSpan.FromTicks(Math.Max(options.Value.SweepInterval.Ticks * 3, TimeSpan.FromSeconds(30).Ticks)));

    public async Task<bool> TryHoldAsync(CancellationToken cancellationToken)
    {
        if (await _role.TryHoldAsync(cancellationToken) is not { } attempt)
        {
            return true;
        }

        if (attempt.Lease is null)
        {
            StorageLog.NotSweeping(logger, attempt.Unavailable ? "the cluster's coordinator cannot be asked" : $"{attempt.HeldBy} sweeps");
            return false;
        }

        metrics.SweepLeaseWon();
        return true;
    }

    public Task ReleaseAsync() => _role.ReleaseAsync();
}
