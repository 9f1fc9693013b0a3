using Mirror.Cache.Protocol;
using Mirror.Cache.Quota;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Watch;

/// <summary>
/// An upstream as the watcher asks it: every tag is checked (a HEAD, free) whatever <c>mirror.tagttl</c> says,
/// since the watch's own interval decides when; and no manifest <c>GET</c> (a pull on Docker Hub) goes out
/// while the pull budget defers background work (<see cref="IPullBudget"/>): it is answered as refused, and
/// <see cref="Deferral"/> says why.
/// </summary>
internal sealed class WatchSource(IUpstream upstream, IPullBudget budget, string budgetKey) : IUpstream
{
    public string Name => upstream.Name;

    public TimeSpan FirstByteTimeout => upstream.FirstByteTimeout;

    /// <summary>Zero: the tag is asked now, not served as checked within <c>mirror.tagttl</c>.</summary>
    public TimeSpan? TagTtl => TimeSpan.Zero;

    /// <summary>The deferral that kept a manifest GET back, if one did.</summary>
    public PullDeferral? Deferral { get; private set; }

    /// <summary>Whether a manifest GET may go out now; remembers the deferral when not.</summary>
    public bool MaySpend()
    {
        Deferral ??= budget.DeferBackground(budgetKey);
        return Deferral is null;
    }

    public Task<UpstreamManifest> HeadManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken) =>
        upstream.HeadManifestAsync(repository, reference, accept, cancellationToken);

    public Task<UpstreamManifest> GetManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken) =>
        MaySpend()
            ? upstream.GetManifestAsync(repository, reference, accept, cancellationToken)
            : Task.FromResult(UpstreamManifest.Failed(SourceStatus.TooManyRequests, UpstreamError.Because($"background pulls deferred until {Deferral!.Until:u}: {Deferral.Reason}")));

    public Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken) =>
        upstream.OpenBlobAsync(repository, digest, offset, cancellationToken);

    public Task<UpstreamBlob> OpenBlobRangeAsync(RepositoryName repository, Digest digest, long start, long last, CancellationToken cancellationToken) =>
        upstream.OpenBlobRangeAsync(repository, digest, start, last, cancellationToken);

    public Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        upstream.HeadBlobAsync(repository, digest, cancellationToken);

    public Task<UpstreamTagList> GetTagsAsync(RepositoryName repository, CancellationToken cancellationToken) =>
        upstream.GetTagsAsync(repository, cancellationToken);

    public Task<UpstreamManifest> GetReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken) =>
        upstream.GetReferrersAsync(repository, subject, cancellationToken);
}
