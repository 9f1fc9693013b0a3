using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Quota;

/// <summary>
/// An upstream's manifests as the quota sees them: every answer (<c>HEAD</c> and <c>GET</c>) tells
/// <see cref="PullQuota"/> where the upstream stands, and a <c>GET</c> (a pull, on Docker Hub) is not sent
/// while GETs are held back: it is answered with the refusal the upstream would give.
/// </summary>
internal sealed class QuotaGuardedSource(IManifestSource upstream, PullQuota quota) : IManifestSource
{
    public string Name => upstream.Name;

    public TimeSpan? TagTtl => upstream.TagTtl;

    public async Task<UpstreamManifest> HeadManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken) =>
        await quota.ObserveAsync(Name, await upstream.HeadManifestAsync(repository, reference, accept, cancellationToken), pull: false, cancellationToken);

    public async Task<UpstreamManifest> GetManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken) =>
        await quota.HoldBackAsync(Name, cancellationToken)
            ?? await quota.ObserveAsync(Name, await upstream.GetManifestAsync(repository, reference, accept, cancellationToken), pull: true, cancellationToken);
}
