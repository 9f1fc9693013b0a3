using Mirror.Cache.Protocol;

namespace Mirror.Cache.Tags;

/// <summary>
/// What the mirror last learnt each tag points to, and when it last asked the upstream. One owner, chosen
/// once, in the composition: the node's journal on a single node (<see cref="TagJournal"/>), Redis in a
/// cluster (<c>Cluster/ClusterTags</c>, with the node's journal as its fallback while Redis is away).
/// </summary>
internal interface ITagStore
{
    /// <summary>What is known of the tag.</summary>
    ValueTask<TagRecord?> TryFindAsync(RepositoryKey repository, string tag, CancellationToken cancellationToken);

    /// <summary>Records the answer of an upstream check, made now.</summary>
    Task RememberAsync(RepositoryKey repository, string tag, Digest digest, string mediaType, long length, CancellationToken cancellationToken);

    /// <summary>Takes in what earlier runs recorded; once, at start. How many tags.</summary>
    Task<int> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Every tag this node knows, for what is derived from them (the repositories they show to hold a digest, the catalog).</summary>
    IEnumerable<TagRecord> Records { get; }

    /// <summary>
    /// Every tag the owner holds, for <c>ls</c> on a bucket (which may run on an empty local directory): in a
    /// cluster Redis's with this node's; on a single node, <see cref="Records"/>. Throws when Redis cannot be asked.
    /// </summary>
    Task<IReadOnlyList<TagRecord>> AllRecordsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<TagRecord>>([.. Records]);
}
