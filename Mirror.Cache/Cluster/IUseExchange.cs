namespace Mirror.Cache.Cluster;

/// <summary>
/// Where a cluster's nodes put the last use of each stored file, so the node that sweeps knows every
/// node's: each member (a file, as the store names it) with its latest use in UTC ticks, kept at the
/// greatest ever saved.
/// </summary>
public interface IUseExchange
{
    /// <summary>Saves uses; a member's saved use only ever moves forward.</summary>
    Task SaveAsync(IReadOnlyList<KeyValuePair<string, long>> uses, CancellationToken cancellationToken);

    /// <summary>The members used after <paramref name="ticks"/>, with their last use.</summary>
    Task<IReadOnlyList<KeyValuePair<string, long>>> SinceAsync(long ticks, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets members whose files were removed, each only while its saved use is no later than the one
    /// the removal was judged by: a use another node saved since is kept (it fetched the file again).
    /// </summary>
    Task ForgetAsync(IReadOnlyList<KeyValuePair<string, long>> members, CancellationToken cancellationToken);
}
