using Mirror.Cache.Protocol;

namespace Mirror.Cache.Repositories;

/// <summary>
/// Which repositories are known to hold which digests (<see cref="LinkJournal"/> says why it matters). One
/// owner, chosen once, in the composition: the node's journal on a single node (<see cref="LinkJournal"/>),
/// Redis in a cluster (<c>Cluster/ClusterLinks</c>, with the node's journal as its fallback while
/// Redis is away). Links are never taken back.
/// </summary>
internal interface IRepositoryLinks
{
    /// <summary>Whether <paramref name="repository"/> is known to hold <paramref name="digest"/>; waits for the start's load.</summary>
    ValueTask<bool> HoldsAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="repository"/> holds <paramref name="digest"/>; true when this node did not know it.</summary>
    bool Link(RepositoryKey repository, Digest digest);

    /// <summary>
    /// Records that <paramref name="repository"/> holds the manifest <paramref name="manifest"/> and what it
    /// names; <paramref name="references"/> is asked once per repository and manifest.
    /// </summary>
    void LinkManifest(RepositoryKey repository, Digest manifest, Func<IReadOnlyList<Digest>> references);

    /// <summary>Every repository this node knows to hold a digest, by its key, once the start's load has run.</summary>
    ValueTask<IEnumerable<string>> RepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>Whether a repository of another registry than the first upstream is known here.</summary>
    bool NamesAnotherRegistry();

    /// <summary>Every link this node knows, as the repository's key and the digest.</summary>
    IEnumerable<(string Repository, Digest Digest)> All { get; }

    /// <summary>
    /// Every link the owner holds, for <c>ls</c> on a bucket: in a cluster Redis's with this node's; on a single
    /// node, <see cref="All"/>. Throws when Redis cannot be asked.
    /// </summary>
    Task<IReadOnlyList<(string Repository, Digest Digest)>> AllLinksAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<(string Repository, Digest Digest)>>([.. All]);

    /// <summary>Takes in what earlier runs recorded, and the links <paramref name="tagged"/> shows; once, at start, off the request path. How many links.</summary>
    int Load(IEnumerable<(string Repository, string Digest)>? tagged = null);
}
