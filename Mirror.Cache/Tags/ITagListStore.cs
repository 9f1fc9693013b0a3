using Mirror.Cache.Protocol;

namespace Mirror.Cache.Tags;

/// <summary>
/// The last tag list the upstream gave for each repository, kept to serve stale while it cannot be asked.
/// One owner, chosen once, in the composition: files in the metadata directory on a single node
/// (<see cref="TagListFiles"/>), Redis in a cluster (<c>Cluster/ClusterTagLists</c>, with the files as its fallback).
/// </summary>
internal interface ITagListStore
{
    /// <summary>The last list kept for <paramref name="repository"/>; <c>null</c> when none is.</summary>
    Task<IReadOnlyList<string>?> TryFindAsync(RepositoryKey repository, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="tags"/> as <paramref name="repository"/>'s last list.</summary>
    Task RememberAsync(RepositoryKey repository, IReadOnlyList<string> tags, CancellationToken cancellationToken);
}
