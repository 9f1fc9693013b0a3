namespace Mirror.Cache.Concurrency;

/// <summary>
/// Single flight across a cluster for small answers (a tag's check, a manifest's fetch), as fills are for
/// blobs: the node that takes the lease does the work, which records its answer where every node finds it
/// (the tag records, the store); a node that finds the lease taken waits for that answer instead of asking
/// the upstream too. When the working node stops, or left no answer this node can use, this node does the
/// work itself.
/// </summary>
internal sealed class ClusterFlight(IClusterCoordinator cluster, TimeProvider time) : ISharedFlight
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <inheritdoc/>
    /// <remarks>The work runs here when this node holds the lease, or nobody answers.</remarks>
    public async Task<T> RunAsync<T>(
        string name,
        Func<CancellationToken, Task<T>> work,
        Func<T, Task> share,
        Func<DateTimeOffset, CancellationToken, Task<T?>> answered,
        CancellationToken cancellationToken)
        where T : class
    {
        var asked = time.GetUtcNow();
        var ask = work;
        work = async ct =>
        {
            var answer = await ask(ct);
            await share(answer);
            return answer;
        };
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
                    if (await answered(asked, cancellationToken) is { } answer)
                    {
                        return answer;
                    }

                    if (await cluster.ReadAsync(name, cancellationToken) is null)
                    {
                        // Gone without an answer for this node: one more look, then the work here.
                        return await answered(asked, cancellationToken) ?? await work(cancellationToken);
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
