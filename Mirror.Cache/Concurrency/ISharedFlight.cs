namespace Mirror.Cache.Concurrency;

/// <summary>
/// Single flight across the nodes that share a store, for small answers (a tag's check, a manifest's fetch):
/// <see cref="ClusterFlight"/> in a cluster, <see cref="SoleFlight"/> on a single node, chosen once in composition.
/// </summary>
internal interface ISharedFlight
{
    /// <param name="name">The lease, one per question (<c>tag/...</c>, <c>manifest/...</c>).</param>
    /// <param name="work">Asks the upstream.</param>
    /// <param name="share">Records the work's answer where the other nodes find it, before the lease goes (alone, nobody else asks: not called).</param>
    /// <param name="answered">The answer another node recorded since this node asked (the time given), if it is there yet and usable here.</param>
    /// <param name="cancellationToken">The asking request's.</param>
    Task<T> RunAsync<T>(
        string name,
        Func<CancellationToken, Task<T>> work,
        Func<T, Task> share,
        Func<DateTimeOffset, CancellationToken, Task<T?>> answered,
        CancellationToken cancellationToken)
        where T : class;
}
