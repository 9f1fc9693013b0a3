using Mirror.Cache.Protocol;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Repositories;

/// <summary>
/// The repositories the store knows, for the registry's catalog: as distribution's proxy lists its own
/// storage's repositories and never the upstream's, these are the repositories content was pulled from
/// (known to hold a digest, <see cref="IRepositoryLinks"/>) or whose tags the mirror checked
/// (<see cref="ITagStore"/>). Names the upstream refused are in neither. In a cluster, it is what this node
/// has learnt: its own journals, and what it looked up in the cluster's records.
/// </summary>
public sealed class RepositoryCatalog
{
    private readonly IRepositoryLinks _links;
    private readonly ITagStore _tags;

    internal RepositoryCatalog(IRepositoryLinks links, ITagStore tags)
    {
        _links = links;
        _tags = tags;
    }

    /// <summary>Each repository once, in no particular order.</summary>
    public async Task<IReadOnlyList<RepositoryKey>> ListAsync(CancellationToken cancellationToken)
    {
        var values = new HashSet<string>(await _links.RepositoriesAsync(cancellationToken), StringComparer.Ordinal);
        values.UnionWith(_tags.Records.Select(record => record.Repository));
        return values.Select(RepositoryKey.FromValue).OfType<RepositoryKey>().ToList();
    }
}
