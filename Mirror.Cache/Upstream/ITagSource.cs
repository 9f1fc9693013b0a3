using Mirror.Cache.Protocol;

namespace Mirror.Cache.Upstream;

/// <summary>Where tag lists come from.</summary>
public interface ITagSource : IRegistrySource
{
    Task<UpstreamTagList> GetTagsAsync(RepositoryName repository, CancellationToken cancellationToken);
}
