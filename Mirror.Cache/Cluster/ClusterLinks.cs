using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The links of a cluster: Redis holds every link any node learnt (one set), so a repository one node knows
/// to hold a digest holds it on every node. The node's own journal (<see cref="LinkJournal"/>) keeps what it
/// learnt, linked or found in Redis, answers first (a link known here costs no question to Redis) and alone
/// while Redis cannot be asked; it also seeds a Redis that lost its records.
/// </summary>
internal sealed class ClusterLinks(LinkJournal journal, RedisRecords redis) : IRepositoryLinks
{
    public IEnumerable<(string Repository, Digest Digest)> All => journal.All;

    public async ValueTask<bool> HoldsAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (await journal.HoldsAsync(repository, digest, cancellationToken))
        {
            return true;
        }

        try
        {
            if (await redis.Database.SetContainsAsync(RedisKeys.Links, Member(repository.Value, digest)))
            {
                journal.Remember(repository.Value, digest);
                return true;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not known here, and Redis cannot say: the upstream is asked, as for an unknown link.
            redis.ReadFailed();
        }

        return false;
    }

    /// <summary>Every link Redis holds, with this node's (for <c>ls</c> on the bucket). Throws when Redis cannot be asked.</summary>
    public async Task<IReadOnlyList<(string Repository, Digest Digest)>> AllLinksAsync(CancellationToken cancellationToken)
    {
        var links = new List<(string, Digest)>(journal.All);
        foreach (var member in await redis.Database.SetMembersAsync(RedisKeys.Links).WaitAsync(cancellationToken))
        {
            if (member.ToString().Split(' ') is [var repository, var digest] && Digest.TryParse(digest) is { } parsed)
            {
                links.Add((repository, parsed));
            }
        }

        return links;
    }

    public bool Link(RepositoryKey repository, Digest digest)
    {
        if (!journal.Link(repository, digest))
        {
            return false;
        }

        Share([(repository.Value, digest)]);
        return true;
    }

    public void LinkManifest(RepositoryKey repository, Digest manifest, Func<IReadOnlyList<Digest>> references) =>
        Share(journal.AddManifest(repository, manifest, references));

    public ValueTask<IEnumerable<string>> RepositoriesAsync(CancellationToken cancellationToken) => journal.RepositoriesAsync(cancellationToken);

    public bool NamesAnotherRegistry() => journal.NamesAnotherRegistry();

    public int Load(IEnumerable<(string Repository, string Digest)>? tagged = null) => journal.Load(tagged);

    /// <summary>Writes every link this node knows to Redis, once its journal has loaded; how many. Throws when Redis cannot be asked.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        await journal.Loaded.WaitAsync(cancellationToken);
        var database = redis.Database;
        var count = 0;
        foreach (var chunk in journal.All.Chunk(1000))
        {
            await database.SetAddAsync(RedisKeys.Links, chunk.Select(link => (RedisValue)Member(link.Repository, link.Digest)).ToArray());
            count += chunk.Length;
        }

        return count;
    }

    private static string Member(string repository, Digest digest) => $"{repository} {digest}";

    /// <summary>Tells the other nodes, in the background: until it lands they ask the upstream, as for any unknown link.</summary>
    private void Share(List<(string Repository, Digest Digest)> links)
    {
        if (links.Count == 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await redis.Database.SetAddAsync(RedisKeys.Links, links.Select(link => (RedisValue)Member(link.Repository, link.Digest)).ToArray());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                redis.WriteFailed();
            }
        });
    }
}
