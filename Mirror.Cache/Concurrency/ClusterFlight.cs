namespace Mirror.Cache.Concurrency;

/// <summary>
/// Single flight across a cluster for small answers (a tag's check, a manifest's fetch), as fills are for
/// blobs: the node that takes the lease does the work, which records its answer where every node finds it
/// (the tag records, the store); a node that finds the lease taken waits for that answer instead of asking
/// the upstream too. When the working node stops, or left no answer this node can use, this node does the
/// work itself; alone it always does.
/// </summary>
internal sealed class ClusterFlight(IClusterCoordinator cluster, TimeProvider time)
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public bool Clustered => cluster.Clustered;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <param name="name">The lease, one per question (<c>tag/...</c>, <c>manifest/...</c>).</param>
    /// <param name="work">Asks the upstream and records the answer; run here when this node holds the lease, or nobody answers.</param>
    /// <param name="answered">The answer another node recorded, if it is there yet (and usable here).</param>
    /// <param name="cancellationToken">The asking request's.</param>
    public async Task<T> RunAsync<T>(string name, Func<CancellationToken, Task<T>> work, Func<CancellationToken, Task<T?>> answered, CancellationToken cancellationToken)
        where T : class
    {
        if (!cluster.Clustered)
        {
            return await work(cancellationToken);
        }

        var attempt = await cluster.TryAcquireAsync(name, cluster.Node, LeaseTime, cancellationToken);
        if (attempt.Lease is { } lease)
        {
            await using (lease)
            {
                return await work(cancellationToken);
            }
        }

        if (!attempt.Unavailable)
        {
            try
            {
                while (true)
                {
                    if (await answered(cancellationToken) is { } answer)
                    {
                        return answer;
                    }

                    if (await cluster.ReadAsync(name, cancellationToken) is null)
                    {
                        // Gone without an answer for this node: one more look, then the work here.
                        return await answered(cancellationToken) ?? await work(cancellationToken);
                    }

                    await Task.Delay(Poll, time, cancellationToken);
                }
            }
            catch (ClusterUnavailableException)
            {
                // Asked here instead.
            }
        }

        return await work(cancellationToken);
    }
}
