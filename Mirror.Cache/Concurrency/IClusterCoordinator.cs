namespace Mirror.Cache.Concurrency;

/// <summary>
/// What the nodes of a cluster share beyond the store's directory: leases (one filler per digest, one
/// sweeper at a time) on a service every node reaches (Redis: <c>Cluster/RedisCoordinator</c>). A single node has none
/// (<see cref="SingleNode"/>): its composition chooses the flights and fills that never ask.
/// </summary>
public interface IClusterCoordinator
{
    /// <summary>This node's name, in leases, logs and metrics.</summary>
    string Node { get; }

    /// <summary>
    /// Takes the lease <paramref name="name"/> with <paramref name="value"/> for <paramref name="ttl"/>,
    /// renewed until the lease is disposed; or says who holds it, or that the coordinator cannot be asked.
    /// </summary>
    Task<LeaseAttempt> TryAcquireAsync(string name, string value, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The value of the lease <paramref name="name"/>; <c>null</c> when nobody holds it. Throws <see cref="ClusterUnavailableException"/>.</summary>
    Task<string?> ReadAsync(string name, CancellationToken cancellationToken);
}
