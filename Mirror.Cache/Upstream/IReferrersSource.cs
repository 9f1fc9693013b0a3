using Mirror.Cache.Protocol;

namespace Mirror.Cache.Upstream;

/// <summary>Where referrers come from: the upstream's referrers API (distribution-spec 1.1).</summary>
public interface IReferrersSource : IRegistrySource
{
    /// <summary>
    /// Every referrer of <paramref name="subject"/>, all pages in one index (its bytes as
    /// <see cref="UpstreamManifest.Content"/>); <see cref="SourceStatus.NotFound"/> when the upstream has no
    /// referrers API (a registry that has one never answers 404, distribution-spec 1.1).
    /// </summary>
    Task<UpstreamManifest> GetReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken);
}
