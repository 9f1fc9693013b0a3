using Mirror.Cache.Concurrency;

namespace Mirror.Cache.Cluster;

/// <summary>
/// A lease a node keeps for one role of the cluster (the sweeper, the watcher): renewed by the coordinator in
/// the background, asked for again once lost, and released once when the node stops (a host may be stopped
/// twice: a test server's factory stops it from Dispose and DisposeAsync).
/// </summary>
internal sealed class RoleLease(IClusterCoordinator cluster, string role, TimeSpan ttl)
{
    private IClusterLease? _lease;

    /// <summary>
    /// <c>null</c> while this node still holds the role; otherwise the attempt to take it: won, or who holds it,
    /// or that nobody could be asked.
    /// </summary>
    public async Task<LeaseAttempt?> TryHoldAsync(CancellationToken cancellationToken)
    {
        if (_lease is { Lost.IsCancellationRequested: true })
        {
            await _lease.DisposeAsync();
            _lease = null;
        }

        if (_lease is not null)
        {
            return null;
        }

        var attempt = await cluster.TryAcquireAsync(role, cluster.Node, ttl, cancellationToken);
        _lease = attempt.Lease;
        return attempt;
    }

    public async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _lease, null) is { } lease)
        {
            await lease.DisposeAsync();
        }
    }
}
