namespace Mirror.Cache.Upstream;

/// <summary>The upstreams the host mirrors, for the cache's own background work (watched images): the same port clients' requests use.</summary>
public interface IUpstreams
{
    /// <summary>The upstream of <paramref name="registry"/> (a host, as <see cref="Protocol.RepositoryKey.Upstream"/> writes it; <c>null</c> for the first); <c>null</c> when it is not mirrored.</summary>
    IUpstream? Find(string? registry);
}
