namespace Mirror.Cache.Concurrency;

/// <summary>A lease this node holds, renewed in the background until disposed (which releases it).</summary>
public interface IClusterLease : IAsyncDisposable
{
    /// <summary>Cancelled when the lease was found taken by another node: whatever it guarded is no longer this node's.</summary>
    CancellationToken Lost { get; }

    /// <summary>Replaces the value other nodes read (<see cref="IClusterCoordinator.ReadAsync"/>).</summary>
    Task SetValueAsync(string value, CancellationToken cancellationToken);
}
