using Mirror.Cache.Protocol;

namespace Mirror.Cache.Upstream;

/// <summary>Where manifests come from, by tag or by digest; failures are values.</summary>
public interface IManifestSource : IRegistrySource
{
    /// <summary>The manifest's digest, type and length, as the upstream answers a HEAD.</summary>
    Task<UpstreamManifest> HeadManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken);

    /// <summary>The manifest's bytes (at most 4 MiB) and the digest computed from them.</summary>
    Task<UpstreamManifest> GetManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken);

    /// <summary>How long a tag checked here is served without asking again; <c>null</c> for <c>mirror.tagttl</c>.</summary>
    TimeSpan? TagTtl => null;
}
