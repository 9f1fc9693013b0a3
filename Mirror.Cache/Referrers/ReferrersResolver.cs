using Mirror.Cache.Concurrency;
using Mirror.Cache.Manifests;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Referrers;

/// <summary>
/// Where a referrers request is decided (distribution-spec 1.1, "Listing Referrers"). The upstream's referrers
/// API answers first; its index is stored by digest and remembered per repository and subject as a tag is
/// (<see cref="SignatureTags.ReferrersRecord"/>), served without asking again within the tag TTL and, while
/// the upstream cannot be asked, as last known. An upstream without the API (404) is read through the
/// referrers tag schema instead: the index under the tag <c>sha256-&lt;hex&gt;</c>, pulled and kept as any tag.
/// With neither, the answer is an empty index: a registry that serves the API never answers 404.
/// </summary>
public sealed class ReferrersResolver : IDisposable
{
    private readonly ManifestResolver _manifests;
    private readonly ManifestStore _store;
    private readonly ITagStore _tags;
    private readonly TagFreshness _freshness;
    private readonly SingleFlight<(RepositoryKey, Digest), UpstreamManifest> _asks = new();

    internal ReferrersResolver(ManifestResolver manifests, ManifestStore store, ITagStore tags, TagFreshness freshness)
    {
        _manifests = manifests;
        _store = store;
        _tags = tags;
        _freshness = freshness;
    }

    public async Task<ReferrersLookup> ResolveAsync(IUpstream upstream, RepositoryKey repository, Digest subject, CancellationToken cancellationToken)
    {
        var record = SignatureTags.ReferrersRecord(subject);
        var known = await _tags.TryFindAsync(repository, record, cancellationToken);
        var stored = known is not null && Digest.TryParse(known.Digest) is { } digest ? await _store.TryFindAsync(digest, cancellationToken) : null;
        if (known is not null && stored is not null && _freshness.IsFresh(known, upstream.TagTtl))
        {
            return ReferrersLookup.Served(CacheResult.Hit, stored.Content);
        }

        var answer = await _asks.RunAsync((repository, subject), ct => upstream.GetReferrersAsync(repository.Name, subject, ct), out var joined).WaitAsync(cancellationToken);
        switch (answer.Status)
        {
            case SourceStatus.Found:
                await _store.StoreAsync(answer.Digest!, MediaTypes.OciIndex, answer.Content, CancellationToken.None);
                await _tags.RememberAsync(repository, record, answer.Digest!, MediaTypes.OciIndex, answer.Content.Length, CancellationToken.None);
                return ReferrersLookup.Served(joined ? CacheResult.Coalesced : CacheResult.Miss, answer.Content);
            case SourceStatus.Unavailable or SourceStatus.TooManyRequests when stored is not null:
                return ReferrersLookup.Served(CacheResult.Stale, stored.Content);
            case SourceStatus.NotFound or SourceStatus.Unavailable or SourceStatus.TooManyRequests:
                // No referrers API upstream (or none reachable): the tag schema, which the store may hold.
                return await FromTagSchemaAsync(upstream, repository, subject, answer, cancellationToken);
            default:
                return ReferrersLookup.Failed(answer.Status, answer.Error);
        }
    }

    public void Dispose() => _asks.Dispose();

    /// <summary>
    /// distribution-spec 1.1, "Referrers Tag Schema": the index tagged <c>sha256-&lt;hex&gt;</c>; none there is
    /// no referrer, unless the upstream could not be asked at all (then its failure).
    /// </summary>
    private async Task<ReferrersLookup> FromTagSchemaAsync(IUpstream upstream, RepositoryKey repository, Digest subject, UpstreamManifest api, CancellationToken cancellationToken)
    {
        var tag = Reference.TryParse(SignatureTags.Of(subject, string.Empty))!;
        var lookup = await _manifests.ResolveAsync(upstream, repository, tag, MediaTypes.OciIndex, describeOnly: false, cancellationToken);
        if (lookup.Found)
        {
            return ReferrersLookup.Served(lookup.Result, ReferrersIndex.IsIndex(lookup.Content.Span) ? lookup.Content : ReferrersIndex.Empty, fromTagSchema: true);
        }

        return lookup.Status == SourceStatus.NotFound && api.Status == SourceStatus.NotFound
            ? ReferrersLookup.Served(CacheResult.Miss, ReferrersIndex.Empty, fromTagSchema: true)
            : ReferrersLookup.Failed(api.Status == SourceStatus.NotFound ? lookup.Status : api.Status, api.Status == SourceStatus.NotFound ? lookup.Error : api.Error);
    }
}
