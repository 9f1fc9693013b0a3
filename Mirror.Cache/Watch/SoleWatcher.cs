using Mirror.Cache.Concurrency;

namespace Mirror.Cache.Watch;

/// <summary>The watch of a mirror no other node shares: always this node's.</summary>
internal sealed class SoleWatcher(IClusterCoordinator node) : IWatchLease
{
    public string? Watcher => node.Node;

    public Task<bool> TryHoldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReleaseAsync() => Task.CompletedTask;
}
