using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Cluster;

/// <summary>
/// Uses in a cluster: each node journals its own (as a single node does), and saves the same batches to
/// the cluster's <see cref="IUseExchange"/> (Redis), from which every node merges the others' at start and
/// before it sweeps, so the node that sweeps removes what no node used, not what it did not use itself.
/// A Redis that lost its records is given every use this node's index holds again (<see cref="SeedAsync"/>).
/// </summary>
internal sealed class ClusterUseLog(UseJournal journal, IUseExchange exchange, MirrorMetrics metrics, TimeProvider time) : IUseLog
{
    /// <summary>Nodes' clocks differ: merges reach this far behind the last one.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    // Every use merged, by member: what the sweep of the bucket asks of content no index here holds.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _merged = new();
    private long _mergedUntil;
    private int _unsynced;

    public void Replay(StoreIndex index)
    {
        journal.Replay(index);
        CatchUp(index);
    }

    public void Save(StoreIndex index)
    {
        List<KeyValuePair<string, long>>? batch = null;
        journal.Save(index, uses => batch = uses.Select(u => KeyValuePair.Create(Member(u.Kind, u.Digest), u.Ticks)).ToList());
        if (batch is { Count: > 0 })
        {
            try
            {
                exchange.SaveAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Journaled here; saved to Redis again with every other use at the next seeding.
                metrics.ClusterError();
                Volatile.Write(ref _unsynced, 1);
            }
        }
    }

    /// <summary>Merges the uses every node saved since the last merge (all of them the first time).</summary>
    public void CatchUp(StoreIndex index)
    {
        var since = _mergedUntil == 0 ? 0 : _mergedUntil - ClockSkew.Ticks;
        var now = time.GetUtcNow().UtcTicks;
        try
        {
            foreach (var (member, ticks) in exchange.SinceAsync(since, CancellationToken.None).GetAwaiter().GetResult())
            {
                _merged.AddOrUpdate(member, ticks, (_, known) => Math.Max(known, ticks));
                if (Parse(member) is { } use)
                {
                    index.MergeUse(use.Kind, DigestKey.Of(use.Digest), use.Digest.Algorithm == "sha512" ? use.Digest : null, ticks);
                }
            }

            _mergedUntil = now;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.ClusterError();
        }
    }

    /// <inheritdoc/>
    public long LastUseOf(ContentKind kind, Digest digest) => _merged.TryGetValue(Member(kind, digest), out var ticks) ? ticks : 0;

    /// <summary>
    /// Forgets the cluster's uses of what a sweep removed, so the cluster's record holds what the store
    /// does, not every file it ever held. A use saved since the sweep judged a file is kept.
    /// </summary>
    public void Forget(IReadOnlyList<EvictedContent> removed)
    {
        if (removed.Count == 0)
        {
            return;
        }

        foreach (var content in removed)
        {
            _merged.TryRemove(Member(content.Kind, content.Digest), out _);
        }

        try
        {
            exchange.ForgetAsync(removed.Select(r => KeyValuePair.Create(Member(r.Kind, r.Digest), r.LastUse.UtcTicks)).ToList(), CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Left in the record: a use of a file no longer stored is passed over by every merge.
            metrics.ClusterError();
        }
    }

    /// <summary>Whether a save to Redis failed since the last call.</summary>
    public bool TakeUnsynced() => Interlocked.Exchange(ref _unsynced, 0) == 1;

    /// <summary>Saves the last use of everything <paramref name="index"/> holds; how many. Throws when Redis cannot be asked.</summary>
    public async Task<int> SeedAsync(StoreIndex index, CancellationToken cancellationToken)
    {
        var count = 0;
        var uses = new List<UseRecord>();
        foreach (var shard in index.Shards)
        {
            uses.Clear();
            lock (shard.Gate)
            {
                shard.AllUses(uses);
            }

            await exchange.SaveAsync(uses.Select(u => KeyValuePair.Create(Member(u.Kind, u.Digest), u.Ticks)).ToList(), cancellationToken);
            count += uses.Count;
        }

        return count;
    }

    private static string Member(ContentKind kind, Digest digest) => (kind == ContentKind.Blob ? "b " : "m ") + digest;

    private static (ContentKind Kind, Digest Digest)? Parse(string member) =>
        member.Length > 2 && Digest.TryParse(member.AsSpan(2)) is { } digest
            ? (member[0] == 'b' ? ContentKind.Blob : ContentKind.Manifest, digest)
            : null;
}
