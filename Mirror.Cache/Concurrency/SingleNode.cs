namespace Mirror.Cache.Concurrency;

/// <summary>The coordinator of a mirror that is not a cluster: nothing is shared, nothing is asked.</summary>
internal sealed class SingleNode : IClusterCoordinator
{
    public string Node => Environment.MachineName;

    public Task<LeaseAttempt> TryAcquireAsync(string name, string value, TimeSpan ttl, CancellationToken cancellationToken) => Task.FromResult(LeaseAttempt.CannotAsk);

    public Task<string?> ReadAsync(string name, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
