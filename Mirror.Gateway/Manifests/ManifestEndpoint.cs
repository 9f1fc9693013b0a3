using Microsoft.Extensions.Logging;
using Mirror.Cache.Content;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Fills;
using Mirror.Cache.Registry;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Manifests;

/// <summary>
/// <c>GET</c>/<c>HEAD /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>. A digest is served from the store when it is
/// there; a tag is first checked with a HEAD upstream (Docker Hub does not count HEADs against its pull
/// limit) for its current digest. Manifests are kept byte for byte as the upstream sent them, so every
/// digest stays the upstream's. Concurrent tag checks and fetches of one digest share one upstream request.
/// </summary>
internal sealed class ManifestEndpoint : IDisposable
{
    private readonly UpstreamClient _upstream;
    private readonly ContentStore _store;
    private readonly TagStore _tags;
    private readonly RepositoryLinks _links;
    private readonly CacheOutcomes _outcomes;
    private readonly MirrorMetrics _metrics;
    private readonly ILogger<ManifestEndpoint> _logger;
    private readonly SingleFlight<string, UpstreamManifest> _tagChecks = new();
    private readonly SingleFlight<(RepositoryName, Digest), UpstreamManifest> _fetches = new();

    public ManifestEndpoint(UpstreamClient upstream, ContentStore store, TagStore tags, RepositoryLinks links, CacheOutcomes outcomes, MirrorMetrics metrics, ILogger<ManifestEndpoint> logger)
    {
        _links = links;
        _outcomes = outcomes;
        _metrics = metrics;
        _upstream = upstream;
        _store = store;
        _tags = tags;
        _logger = logger;
    }

    public async Task ServeAsync(HttpContext context, RepositoryName clientName, Reference reference)
    {
        var cancellationToken = context.RequestAborted;
        var name = _upstream.UpstreamName(clientName);
        var accept = ManifestTypes.AcceptFor(context.Request.Headers.Accept);
        var head = HttpMethods.IsHead(context.Request.Method);

        UpstreamManifest? tagCheck = null;
        var tagJoined = false;
        var digest = reference.Digest;
        if (reference.Tag is { } tag)
        {
            var known = await _tags.TryFindAsync(name, tag, cancellationToken);
            if (known is not null && _tags.IsFresh(known) && ManifestTypes.Accepts(accept, known.MediaType)
                && await _store.TryFindManifestAsync(Digest.Parse(known.Digest), cancellationToken) is { } fresh)
            {
                // Checked upstream within mirror.tagttl: served as known, without asking again.
                _outcomes.Record(context, MirrorMetrics.Manifest, CacheResult.Hit);
                await WriteAsync(context, name, fresh.Digest, fresh.MediaType, fresh.Content);
                return;
            }

            tagCheck = await _tagChecks.RunAsync($"{name}:{tag}|{accept}", ct => CheckTagAsync(name, tag, accept, ct), out tagJoined).WaitAsync(cancellationToken);
            PassRateLimit(context, tagCheck);
            if (tagCheck.Status is SourceStatus.Unavailable or SourceStatus.TooManyRequests)
            {
                if (known is not null && ManifestTypes.Accepts(accept, known.MediaType)
                    && await _store.TryFindManifestAsync(Digest.Parse(known.Digest), cancellationToken) is { } stale)
                {
                    // The upstream cannot be asked (down, or rate-limiting): the last known digest is
                    // better than an error, and the response says it may be out of date (RFC 7234 5.5.1).
                    GatewayLog.ServedStale(_logger, name, tag, stale.Digest, tagCheck.Status.ToString());
                    context.Response.Headers.Warning = "110 - \"Response is Stale\"";
                    _outcomes.Record(context, MirrorMetrics.Manifest, CacheResult.Stale);
                    await WriteAsync(context, name, stale.Digest, stale.MediaType, stale.Content);
                    return;
                }
            }

            if (tagCheck.Status != SourceStatus.Found)
            {
                await OciError.FromUpstream(tagCheck.Status, OciErrorCode.ManifestUnknown, tagCheck.Detail).WriteAsync(context);
                return;
            }

            digest = tagCheck.Digest!;
            await _tags.RememberAsync(name, tag, digest, ManifestTypes.Resolve(tagCheck.MediaType, tagCheck.Content.Span), tagCheck.Length ?? 0, CancellationToken.None);
        }

        digest ??= reference.Digest!;
        if (await _store.TryFindManifestAsync(digest, cancellationToken) is { } stored)
        {
            // By tag, the upstream has just named this digest for the repository; by digest, it may have to say so now.
            if (tagCheck is null && !_links.Holds(name, digest))
            {
                var confirmed = await _upstream.HeadManifestAsync(name, digest.ToString(), $"{accept}, {MediaTypes.AllManifests}", cancellationToken);
                if (confirmed.Status != SourceStatus.Found)
                {
                    await OciError.FromUpstream(confirmed.Status, OciErrorCode.ManifestUnknown, confirmed.Detail).WriteAsync(context);
                    return;
                }
            }

            _outcomes.Record(context, MirrorMetrics.Manifest, CacheResult.Hit);
            await WriteAsync(context, name, digest, stored.MediaType, stored.Content);
            return;
        }

        if (head)
        {
            var described = tagCheck ?? await _upstream.HeadManifestAsync(name, digest.ToString(), accept, cancellationToken);
            if (described.Status != SourceStatus.Found)
            {
                await OciError.FromUpstream(described.Status, OciErrorCode.ManifestUnknown, described.Detail).WriteAsync(context);
                return;
            }

            _links.Link(name, digest);
            _outcomes.Record(context, MirrorMetrics.Manifest, tagJoined ? CacheResult.Coalesced : CacheResult.Miss);
            WriteHeaders(context, digest, described.MediaType ?? MediaTypes.Json, described.Length);
            return;
        }

        // One fetch per repository and digest: a fetch under another name does not show that this one holds it.
        var fetched = await _fetches.RunAsync((name, digest), ct => FetchAsync(name, digest, accept, ct), out var fetchJoined).WaitAsync(cancellationToken);
        PassRateLimit(context, fetched);
        if (fetched.Status != SourceStatus.Found)
        {
            await OciError.FromUpstream(fetched.Status, OciErrorCode.ManifestUnknown, fetched.Detail).WriteAsync(context);
            return;
        }

        _outcomes.Record(context, MirrorMetrics.Manifest, fetchJoined ? CacheResult.Coalesced : CacheResult.Miss);
        await WriteAsync(context, name, digest, fetched.MediaType!, fetched.Content);
    }

    public void Dispose()
    {
        _tagChecks.Dispose();
        _fetches.Dispose();
    }

    /// <summary>
    /// The tag's current digest from a HEAD; an upstream that sends no <c>Docker-Content-Digest</c> on HEAD
    /// is asked with a GET instead, and what it sends is stored.
    /// </summary>
    private async Task<UpstreamManifest> CheckTagAsync(RepositoryName name, string tag, string accept, CancellationToken cancellationToken)
    {
        var head = await _upstream.HeadManifestAsync(name, tag, accept, cancellationToken);
        if (head.Status != SourceStatus.Found || head.Digest is not null)
        {
            return head;
        }

        var got = await _upstream.GetManifestAsync(name, tag, accept, cancellationToken);
        if (got.Status == SourceStatus.Found)
        {
            _metrics.Pulled(MirrorMetrics.Manifest, got.Content.Length);
            got = got with { MediaType = ManifestTypes.Resolve(got.MediaType, got.Content.Span) };
            await _store.StoreManifestAsync(got.Digest!, got.MediaType, got.Content, cancellationToken);
        }

        return got;
    }

    /// <summary>GETs a manifest by digest, checks it hashes to that digest, and stores it.</summary>
    private async Task<UpstreamManifest> FetchAsync(RepositoryName name, Digest digest, string accept, CancellationToken cancellationToken)
    {
        // By digest the content is fixed; every type is acceptable, or a registry may refuse to send it
        // (Docker Hub answers 404 for an OCI index to an Accept without the OCI index type).
        var fetched = await _upstream.GetManifestAsync(name, digest.ToString(), $"{accept}, {MediaTypes.AllManifests}", cancellationToken);
        if (fetched.Status != SourceStatus.Found)
        {
            return fetched;
        }

        _metrics.Pulled(MirrorMetrics.Manifest, fetched.Content.Length);
        if (!digest.Matches(fetched.Content.Span))
        {
            GatewayLog.ManifestDigestMismatch(_logger, name, digest, fetched.Digest!);
            _metrics.DigestMismatch(MirrorMetrics.Manifest);
            return UpstreamManifest.Failed(SourceStatus.Invalid, $"the upstream's manifest does not match {digest}");
        }

        fetched = fetched with { Digest = digest, MediaType = ManifestTypes.Resolve(fetched.MediaType, fetched.Content.Span) };
        await _store.StoreManifestAsync(digest, fetched.MediaType, fetched.Content, cancellationToken);
        return fetched;
    }

    private static void PassRateLimit(HttpContext context, UpstreamManifest answer)
    {
        foreach (var (header, value) in answer.RateLimit)
        {
            context.Response.Headers[header] = value;
        }
    }

    /// <summary>
    /// Serves a manifest the upstream has confirmed <paramref name="name"/> holds, and records that the
    /// repository holds it and what it names (read once per repository and manifest).
    /// </summary>
    private async Task WriteAsync(HttpContext context, RepositoryName name, Digest digest, string mediaType, ReadOnlyMemory<byte> content)
    {
        _links.LinkManifest(name, digest, () => ManifestReferences.Of(content.Span));
        WriteHeaders(context, digest, mediaType, content.Length);
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            _outcomes.Sent(context, MirrorMetrics.Manifest, content.Length);
            await context.Response.Body.WriteAsync(content, context.RequestAborted);
        }
    }

    private static void WriteHeaders(HttpContext context, Digest digest, string mediaType, long? length)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = mediaType;
        response.ContentLength = length;
        response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        response.Headers.ETag = $"\"{digest}\"";
    }
}
