namespace Mirror.Cache.Storage;

/// <summary>The sweep of a store no other node shares: always this node's.</summary>
internal sealed class SoleSweeper : ISweepLease
{
    public Task<bool> TryHoldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReleaseAsync() => Task.CompletedTask;
}
