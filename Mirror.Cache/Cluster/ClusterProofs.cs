using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The proofs of a cluster: Redis holds every registry's proof of every digest any node recorded (a set of
/// proofs, and a set of the digests some registry proved). The node's own journal (<see cref="ProofJournal"/>)
/// keeps the proofs it made or found, so a proof known here is answered without asking Redis; it also seeds
/// a Redis that lost its records. When Redis cannot be asked, what this node does not know is unproven: the
/// registry fetches to check.
/// </summary>
internal sealed class ClusterProofs(ProofJournal journal, RedisRecords redis) : IContentProofs
{
    public async ValueTask<ProofStatus> CheckAsync(string registry, Digest digest, CancellationToken cancellationToken)
    {
        if (journal.Knows(registry, digest))
        {
            return ProofStatus.Proven;
        }

        try
        {
            var database = redis.Database;
            if (await database.SetContainsAsync(RedisKeys.Proofs, Member(registry, digest)))
            {
                journal.Add(registry, digest);
                return ProofStatus.Proven;
            }

            return journal.KnowsAnother(registry, digest) || await database.SetContainsAsync(RedisKeys.Proven, digest.ToString())
                ? ProofStatus.Unproven
                : ProofStatus.Unattributed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            redis.ReadFailed();
            return ProofStatus.Unproven;
        }
    }

    /// <summary>Records the proof in Redis before it returns, so a node that sees the content committed next finds it.</summary>
    public async ValueTask ProveAsync(string registry, Digest digest, CancellationToken cancellationToken)
    {
        if (!journal.Add(registry, digest))
        {
            return;
        }

        try
        {
            await WriteAsync(redis.Database, [(registry, digest)]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Known here; another node that asks for it fetches from the registry to check, as for any unproven digest.
            redis.WriteFailed();
        }
    }

    /// <summary>The node's own journal: the proofs it made or found in earlier runs.</summary>
    public int Load() => journal.Load();

    /// <summary>Writes every proof this node knows to Redis, once its journal has loaded; how many. Throws when Redis cannot be asked.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        await journal.Loaded.WaitAsync(cancellationToken);
        var database = redis.Database;
        var count = 0;
        foreach (var chunk in journal.All.Chunk(1000))
        {
            await WriteAsync(database, chunk);
            count += chunk.Length;
        }

        return count;
    }

    private static async Task WriteAsync(IDatabase database, IReadOnlyCollection<(string Registry, Digest Digest)> proofs)
    {
        await database.SetAddAsync(RedisKeys.Proofs, proofs.Select(p => (RedisValue)Member(p.Registry, p.Digest)).ToArray());
        await database.SetAddAsync(RedisKeys.Proven, proofs.Select(p => (RedisValue)p.Digest.ToString()).ToArray());
    }

    private static string Member(string registry, Digest digest) => $"{digest} {(registry.Length == 0 ? "-" : registry)}";
}
