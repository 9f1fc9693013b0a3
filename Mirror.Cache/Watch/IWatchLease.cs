namespace Mirror.Cache.Watch;

/// <summary>
/// Whether this node watches now: a node alone always does; in a cluster one node watches, the holder of a
/// lease (<c>Cluster/ClusterWatchLease</c>), and the others serve what it fetched.
/// </summary>
internal interface IWatchLease
{
    /// <summary>Takes the right to watch, or keeps it; false while another node holds it, or nobody can be asked.</summary>
    Task<bool> TryHoldAsync(CancellationToken cancellationToken);

    /// <summary>Who watches, for the status page: this node's name, another's, or <c>null</c> when unknown.</summary>
    string? Watcher { get; }

    /// <summary>Lets the right go, when the node stops; safe to call more than once.</summary>
    Task ReleaseAsync();
}
