namespace Mirror.Cache.Storage;

/// <summary>
/// Whether this node may sweep the store now: a store of one node is always its own to sweep; a store shared
/// by a cluster is swept by one node at a time, the holder of a lease (the cluster's, above the store).
/// </summary>
internal interface ISweepLease
{
    /// <summary>Takes the right to sweep, or keeps it; false while another node holds it, or nobody can be asked.</summary>
    Task<bool> TryHoldAsync(CancellationToken cancellationToken);

    /// <summary>Lets the right go, when the node stops; safe to call more than once.</summary>
    Task ReleaseAsync();
}
