using Microsoft.Extensions.Logging;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Quota;
using Mirror.Cache.Repositories;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Manifests;

/// <summary>
/// Where a manifest request is decided. A digest is served from the store when it is there, its registry
/// has served it (<see cref="Provenance"/>: a tag naming it is that registry's word, no proof) and the
/// repository is known to hold it; a tag is served as known while it is fresh (<c>mirror.tagttl</c>), else
/// checked with a HEAD upstream (Docker Hub does not count HEADs against its pull limit) for its current
/// digest, and served as last known, marked stale, while the upstream cannot be asked. What the store lacks
/// is fetched, checked against its digest and stored byte for byte, so every digest stays the upstream's;
/// a digest the store holds from another registry is fetched and checked too, and the one copy kept.
/// Concurrent tag checks, and fetches of one digest for one repository, share one upstream request. Every
/// upstream manifest answer goes by the pull quota (<see cref="PullQuota"/>), which holds GETs back while the
/// upstream has no pulls left.
/// </summary>
public sealed class ManifestResolver : IDisposable
{
    private readonly ManifestStore _store;
    private readonly ITagStore _tags;
    private readonly TagFreshness _freshness;
    private readonly IRepositoryLinks _links;
    private readonly Provenance _provenance;
    private readonly PullQuota _quota;
    private readonly MirrorMetrics _metrics;
    private readonly ILogger<ManifestResolver> _logger;
    private readonly SingleFlight<string, UpstreamManifest> _tagChecks = new();
    private readonly ISharedFlight _flight;
    private readonly CompanionKeeper _companions;
    private readonly SingleFlight<(RepositoryKey, Digest), UpstreamManifest> _fetches = new();

    internal ManifestResolver(ManifestStore store, ITagStore tags, TagFreshness freshness, IRepositoryLinks links, Provenance provenance, ISharedFlight flight, CompanionKeeper companions, PullQuota quota, MirrorMetrics metrics, ILogger<ManifestResolver> logger)
    {
        _companions = companions;
        _provenance = provenance;
        _flight = flight;
        _quota = quota;
        _store = store;
        _tags = tags;
        _freshness = freshness;
        _links = links;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// The manifest <paramref name="reference"/> names in <paramref name="repository"/> (the upstream's name)
    /// for a client that accepts <paramref name="accept"/>; for a HEAD (<paramref name="describeOnly"/>) its
    /// bytes are fetched only when the store has them anyway. A manifest found keeps its stored signatures
    /// and other companions with it (<see cref="CompanionKeeper"/>).
    /// </summary>
    public async Task<ManifestLookup> ResolveAsync(IManifestSource upstream, RepositoryKey repository, Reference reference, string accept, bool describeOnly, CancellationToken cancellationToken)
    {
        upstream = _quota.Guard(upstream);
        var lookup = await ResolveInStoreOrUpstreamAsync(upstream, repository, reference, accept, describeOnly, cancellationToken);
        if (lookup is { Found: true, Digest: { } digest } && !(reference.Tag is { } tag && SignatureTags.IsCompanion(tag)))
        {
            await _companions.KeepWithAsync(repository, digest, cancellationToken);
        }

        return lookup;
    }

    private async Task<ManifestLookup> ResolveInStoreOrUpstreamAsync(IManifestSource upstream, RepositoryKey repository, Reference reference, string accept, bool describeOnly, CancellationToken cancellationToken)
    {
        UpstreamManifest? tagCheck = null;
        var tagJoined = false;
        var digest = reference.Digest;
        if (reference.Tag is { } tag)
        {
            var known = await _tags.TryFindAsync(repository, tag, cancellationToken);
            if (known is not null && _freshness.IsFresh(known, upstream.TagTtl) && ManifestTypes.Accepts(accept, known.MediaType)
                && await TryFindServedAsync(repository, Digest.Parse(known.Digest), cancellationToken) is { } fresh)
            {
                // Checked upstream within mirror.tagttl: served as known, without asking again.
                return Serve(repository, fresh, CacheResult.Hit, []);
            }

            tagCheck = await _tagChecks.RunAsync(
                $"{repository.Value}:{tag}|{accept}",
                ct => CheckTagInClusterAsync(upstream, repository, tag, accept, ct),
                out tagJoined).WaitAsync(cancellationToken);
            if (tagCheck.Status is SourceStatus.Unavailable or SourceStatus.TooManyRequests
                && known is not null && ManifestTypes.Accepts(accept, known.MediaType)
                && await TryFindServedAsync(repository, Digest.Parse(known.Digest), cancellationToken) is { } stale)
            {
                // The upstream cannot be asked (down, or rate-limiting): the last known digest is better than
                // an error, and the answer says it may be out of date.
                ManifestLog.ServedStale(_logger, repository, tag, stale.Digest, tagCheck.Status.ToString());
                return Serve(repository, stale, CacheResult.Stale, tagCheck.RateLimit);
            }

            if (tagCheck.Status != SourceStatus.Found)
            {
                return ManifestLookup.Failed(tagCheck);
            }

            if (known is not null && known.Digest != tagCheck.Digest!.ToString() && _quota.IsHeld(upstream.Name)
                && !(_store.Contains(tagCheck.Digest!) && await _provenance.HasServedAsync(repository, tagCheck.Digest!, cancellationToken))
                && ManifestTypes.Accepts(accept, known.MediaType)
                && await TryFindServedAsync(repository, Digest.Parse(known.Digest), cancellationToken) is { } held)
            {
                // The tag moved, but its new manifest would cost a pull the upstream has said it refuses: the
                // last known digest, marked stale, and the tag left on it until GETs may go again.
                ManifestLog.ServedStale(_logger, repository, tag, held.Digest, "the pull quota is spent");
                return Serve(repository, held, CacheResult.Stale, tagCheck.RateLimit);
            }

            digest = tagCheck.Digest!;
            await _tags.RememberAsync(repository, tag, digest, tagCheck.MediaType ?? MediaTypes.Json, tagCheck.Length ?? 0, CancellationToken.None);
        }

        var rateLimit = tagCheck?.RateLimit ?? [];

        // Stored, but not served by this registry yet: a miss here, fetched (a GET by digest, below) and checked.
        var served = _store.Contains(digest!) && await _provenance.HasServedAsync(repository, digest!, cancellationToken);

        // By tag, the upstream has just named this digest for the repository; by digest, a stored manifest
        // the repository is not known to hold needs the upstream to say so first.
        if (served && tagCheck is null && !await _links.HoldsAsync(repository, digest!, cancellationToken))
        {
            var confirmed = await upstream.HeadManifestAsync(repository.Name, digest!.ToString(), $"{accept}, {MediaTypes.AllManifests}", cancellationToken);
            if (confirmed.Status != SourceStatus.Found)
            {
                return ManifestLookup.Failed(confirmed);
            }

            rateLimit = confirmed.RateLimit;
            _links.Link(repository, digest);
        }

        if (served && await _store.TryFindAsync(digest!, cancellationToken) is { } stored)
        {
            return Serve(repository, stored, CacheResult.Hit, rateLimit);
        }

        if (describeOnly)
        {
            var described = tagCheck ?? await upstream.HeadManifestAsync(repository.Name, digest!.ToString(), accept, cancellationToken);
            if (described.Status != SourceStatus.Found)
            {
                return ManifestLookup.Failed(described);
            }

            if (ManifestTypes.NamesOtherType(described.MediaType))
            {
                return ManifestLookup.Failed(NotServed(described.MediaType));
            }

            _links.Link(repository, digest!);
            return ManifestLookup.Described(tagJoined ? CacheResult.Coalesced : CacheResult.Miss, digest!, described.MediaType ?? MediaTypes.Json, described.Length, described.RateLimit);
        }

        // One fetch per repository and digest: a fetch under another name does not show that this one holds it.
        var fetched = await _fetches.RunAsync(
            (repository, digest!),
            ct => _flight.RunAsync(FetchLease(repository, digest!), c => FetchAsync(upstream, repository, digest!, accept, c), static _ => Task.CompletedTask, (_, c) => StoredAsAnswerAsync(repository, digest!, c), ct),
            out var fetchJoined).WaitAsync(cancellationToken);
        if (fetched.Status != SourceStatus.Found)
        {
            return ManifestLookup.Failed(fetched.RateLimit.Count > 0 ? fetched : fetched with { RateLimit = rateLimit });
        }

        _links.LinkManifest(repository, digest!, () => ManifestReferences.HeldWith(fetched.Content.Span));
        return ManifestLookup.Served(fetchJoined ? CacheResult.Coalesced : CacheResult.Miss, digest!, fetched.MediaType!, fetched.Content, fetched.RateLimit.Count > 0 ? fetched.RateLimit : rateLimit);
    }

    public void Dispose()
    {
        _tagChecks.Dispose();
        _fetches.Dispose();
    }

    /// <summary>
    /// A manifest the upstream has confirmed the repository holds, from the store: the repository now holds
    /// it and what it names (read once per repository and manifest).
    /// </summary>
    private ManifestLookup Serve(RepositoryKey repository, StoredManifest stored, CacheResult result, IReadOnlyList<KeyValuePair<string, string>> rateLimit)
    {
        _links.LinkManifest(repository, stored.Digest, () => ManifestReferences.HeldWith(stored.Content.Span));
        return ManifestLookup.Served(result, stored.Digest, stored.MediaType, stored.Content, rateLimit);
    }

    /// <summary>
    /// The tag's check, shared in a cluster: the node that checks records the answer before it lets the
    /// tag's lease go, and the others take an answer recorded after they asked.
    /// </summary>
    private Task<UpstreamManifest> CheckTagInClusterAsync(IManifestSource upstream, RepositoryKey repository, string tag, string accept, CancellationToken cancellationToken)
    {
        return _flight.RunAsync(
            $"tag/{repository.Value}:{tag}",
            ct => CheckTagAsync(upstream, repository, tag, accept, ct),
            async answer =>
            {
                if (answer is { Status: SourceStatus.Found, Digest: { } digest })
                {
                    await _tags.RememberAsync(repository, tag, digest, answer.MediaType ?? MediaTypes.Json, answer.Length ?? 0, CancellationToken.None);
                }
            },
            async (asked, ct) => await _tags.TryFindAsync(repository, tag, ct) is { } record && record.CheckedAt >= asked && ManifestTypes.Accepts(accept, record.MediaType)
                ? new UpstreamManifest(SourceStatus.Found, Digest.Parse(record.Digest), record.MediaType, record.Length, ReadOnlyMemory<byte>.Empty, null)
                : null,
            cancellationToken);
    }

    /// <summary>
    /// A manifest another node of the cluster fetched into the store for the registry, as the answer of a
    /// fetch: once the registry's proof is recorded (before the store, by the node that fetched).
    /// </summary>
    private async Task<UpstreamManifest?> StoredAsAnswerAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken) =>
        await TryFindServedAsync(repository, digest, cancellationToken) is { } stored
            ? new UpstreamManifest(SourceStatus.Found, stored.Digest, stored.MediaType, stored.Content.Length, stored.Content, null)
            : null;

    /// <summary>The stored manifest, when <paramref name="repository"/>'s registry has served it; <c>null</c> otherwise.</summary>
    private async Task<StoredManifest?> TryFindServedAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken) =>
        _store.Contains(digest) && await _provenance.HasServedAsync(repository, digest, cancellationToken) ? await _store.TryFindAsync(digest, cancellationToken) : null;

    /// <summary>
    /// The cluster's lease on a manifest's fetch, one per registry and digest (the first upstream's named as
    /// they have always been): each registry's fetch is its own proof.
    /// </summary>
    private static string FetchLease(RepositoryKey repository, Digest digest) =>
        repository.Upstream is { } registry ? $"manifest/{registry}/{digest}" : $"manifest/{digest}";

    /// <summary>
    /// The tag's current digest from a HEAD; an upstream that sends no <c>Docker-Content-Digest</c> on HEAD
    /// is asked with a GET instead, and what it sends is stored.
    /// </summary>
    private async Task<UpstreamManifest> CheckTagAsync(IManifestSource upstream, RepositoryKey repository, string tag, string accept, CancellationToken cancellationToken)
    {
        var head = await upstream.HeadManifestAsync(repository.Name, tag, accept, cancellationToken);
        if (head.Status == SourceStatus.Found && ManifestTypes.NamesOtherType(head.MediaType))
        {
            return NotServed(head.MediaType);
        }

        if (head.Status != SourceStatus.Found || head.Digest is not null)
        {
            return head;
        }

        var got = await upstream.GetManifestAsync(repository.Name, tag, accept, cancellationToken);
        if (got.Status == SourceStatus.Found)
        {
            _metrics.Pulled(upstream.Name, MirrorMetrics.Manifest, got.Content.Length);
            if (ManifestTypes.TryResolve(got.MediaType, got.Content.Span) is not { } type)
            {
                return NotServed(got.MediaType);
            }

            got = got with { MediaType = type };
            await _provenance.RecordAsync(repository, got.Digest!, cancellationToken);
            await _store.StoreAsync(got.Digest!, got.MediaType, got.Content, cancellationToken);
        }

        return got;
    }

    /// <summary>GETs a manifest by digest, checks it hashes to that digest, and stores it.</summary>
    private async Task<UpstreamManifest> FetchAsync(IManifestSource upstream, RepositoryKey repository, Digest digest, string accept, CancellationToken cancellationToken)
    {
        // By digest the content is fixed; every type is acceptable, or a registry may refuse to send it
        // (Docker Hub answers 404 for an OCI index to an Accept without the OCI index type).
        var fetched = await upstream.GetManifestAsync(repository.Name, digest.ToString(), $"{accept}, {MediaTypes.AllManifests}", cancellationToken);
        if (fetched.Status != SourceStatus.Found)
        {
            return fetched;
        }

        _metrics.Pulled(upstream.Name, MirrorMetrics.Manifest, fetched.Content.Length);
        if (!digest.Matches(fetched.Content.Span))
        {
            ManifestLog.ManifestDigestMismatch(_logger, repository, digest, fetched.Digest!);
            _metrics.DigestMismatch(upstream.Name, MirrorMetrics.Manifest);
            return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because($"the upstream's manifest does not match {digest}"));
        }

        if (ManifestTypes.TryResolve(fetched.MediaType, fetched.Content.Span) is not { } type)
        {
            return NotServed(fetched.MediaType);
        }

        // The registry has served these bytes: its proof, recorded before the store so that another node
        // finding them stored finds it too; the one copy is kept when the store holds them already, unless
        // it was stored with a type the mirror no longer serves as a manifest (then it is written again).
        fetched = fetched with { Digest = digest, MediaType = type };
        await _provenance.RecordAsync(repository, digest, cancellationToken);
        if (!_store.Contains(digest) || await _store.TryFindAsync(digest, cancellationToken) is null)
        {
            await _store.StoreAsync(digest, fetched.MediaType, fetched.Content, cancellationToken);
        }

        return fetched;
    }

    /// <summary>
    /// An upstream answer that is not a manifest the mirror serves (<see cref="ManifestTypes"/>), as the
    /// refusal the client gets instead (502 <c>MANIFEST_INVALID</c>); it is never stored.
    /// </summary>
    private static UpstreamManifest NotServed(string? contentType)
    {
        var sent = contentType is null ? "no Content-Type" : $"Content-Type {(contentType.Length > 100 ? contentType[..100] + "..." : contentType)}";
        return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because(
            $"the upstream's answer ({sent}) is not an OCI or Docker image manifest or index; the mirror serves no other type as a manifest"));
    }
}
