using Microsoft.Extensions.Logging;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Watch;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The watcher's lease of a cluster: one node checks the watched tags and fetches what moved, for as long as
/// it keeps the lease (renewed in the background, lapsing 30 s after the node stops); the others serve what it
/// fetched from the shared store. While the coordinator cannot be asked, nobody watches.
/// </summary>
internal sealed class ClusterWatchLease(IClusterCoordinator cluster, ILogger<ImageWatcher> logger) : IWatchLease
{
    private readonly RoleLease _role = new(cluster, "watcher", TimeSpan.FromSeconds(30));

    public string? Watcher { get; private set; }

    public async Task<bool> TryHoldAsync(CancellationToken cancellationToken)
    {
        if (await _role.TryHoldAsync(cancellationToken) is not { } attempt)
        {
            return true;
        }

        if (attempt.Lease is null)
        {
            Watcher = attempt.HeldBy;
            WatchLog.NotWatching(logger, attempt.Unavailable ? "the cluster's coordinator cannot be asked" : $"{attempt.HeldBy} watches");
            return false;
        }

        Watcher = cluster.Node;
        WatchLog.Watching(logger, cluster.Node);
        return true;
    }

    public Task ReleaseAsync() => _role.ReleaseAsync();
}
