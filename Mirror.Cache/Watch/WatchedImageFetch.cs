using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Manifests;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Quota;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Watch;

/// <summary>
/// One round of a watched tag: one HEAD upstream through the tag-check path clients use (free on Docker Hub),
/// then, for what the store lacks, the manifest (a list's or index's chosen platforms too, see
/// <see cref="PlatformSelection"/>) through <see cref="ManifestResolver"/> and every config and layer through
/// <see cref="BlobCache"/>: the same single-flight fetches and fills clients start or join, so a client asking
/// meanwhile waits on the same fill, and progress shows as for any fill. Blob fills run at most
/// <c>mirror.watchfills</c> at a time across all watched tags. Before each manifest GET (a pull) the pull
/// budget is asked; a deferral ends the round, which the next interval tries again.
/// </summary>
internal sealed class WatchedImageFetch : IDisposable
{
    private readonly ManifestResolver _resolver;
    private readonly BlobCache _blobs;
    private readonly ManifestStore _manifestStore;
    private readonly BlobStore _blobStore;
    private readonly Provenance _provenance;
    private readonly ITagStore _tags;
    private readonly IUpstreams _upstreams;
    private readonly IPullBudget _budget;
    private readonly WatchBoard _board;
    private readonly MirrorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fills;

    public WatchedImageFetch(ManifestResolver resolver, BlobCache blobs, ManifestStore manifestStore, BlobStore blobStore, Provenance provenance, ITagStore tags, IUpstreams upstreams, IPullBudget budget, WatchBoard board, MirrorMetrics metrics, IOptions<WatchOptions> options, ILogger<ImageWatcher> logger)
    {
        _resolver = resolver;
        _blobs = blobs;
        _manifestStore = manifestStore;
        _blobStore = blobStore;
        _provenance = provenance;
        _tags = tags;
        _upstreams = upstreams;
        _budget = budget;
        _board = board;
        _metrics = metrics;
        _logger = logger;
        _fills = new SemaphoreSlim(Math.Max(1, options.Value.Fills));
    }

    /// <summary>Checks <paramref name="image"/>'s tag and fetches what the store lacks of the image it points at.</summary>
    public async Task RunAsync(WatchedImage image, CancellationToken cancellationToken)
    {
        if (_upstreams.Find(image.Repository.Upstream) is not { } upstream)
        {
            Fail(image, $"{image.Repository.Upstream} is not in mirror.upstreams");
            return;
        }

        var source = new WatchSource(upstream, _budget, image.Repository.Upstream ?? string.Empty);
        var round = new Round(image, source);
        var tag = await _resolver.ResolveAsync(source, image.Repository, Reference.TryParse(image.Tag)!, MediaTypes.AllManifests, describeOnly: true, cancellationToken);
        if (Deferred(round))
        {
            return;
        }

        if (!tag.Found)
        {
            Fail(image, $"the upstream answered {tag.Status} for the tag: {tag.Error?.Message}");
            return;
        }

        var complete = await FetchAsync(round, tag.Digest!, 0, cancellationToken);
        if (Deferred(round) || !complete)
        {
            return;
        }

        _board.Done(image);
        if (round.Manifests + round.Blobs > 0)
        {
            WatchLog.Fetched(_logger, image.ToString(), tag.Digest!.ToString(), round.Manifests, round.Blobs);
        }
        else
        {
            WatchLog.Unchanged(_logger, image.ToString(), tag.Digest!.ToString());
        }
    }

    public void Dispose() => _fills.Dispose();

    /// <summary>Fetches the manifest <paramref name="digest"/> and what it names; false when the round ends here (deferred, or failed).</summary>
    private async Task<bool> FetchAsync(Round round, Digest digest, int depth, CancellationToken cancellationToken)
    {
        var repository = round.Image.Repository;
        var stored = _manifestStore.Contains(digest) && await _provenance.HasServedAsync(repository, digest, cancellationToken);
        if (!stored && !round.Source.MaySpend())
        {
            return false;
        }

        var manifest = await _resolver.ResolveAsync(round.Source, repository, Reference.TryParse(digest.ToString())!, MediaTypes.AllManifests, describeOnly: false, cancellationToken);
        if (!manifest.Found)
        {
            if (round.Source.Deferral is null)
            {
                Fail(round.Image, $"the upstream answered {manifest.Status} for {digest}: {manifest.Error?.Message}");
            }

            return false;
        }

        round.Manifests += stored ? 0 : 1;
        var entries = PlatformSelection.Entries(manifest.Content.Span);
        if (entries.Count > 0)
        {
            if (depth > 0)
            {
                // A list inside a list names no platform of its own to choose.
                return true;
            }

            var chosen = PlatformSelection.Choose(entries, round.Image.Platforms, await PulledBeforeAsync(round.Image, cancellationToken), PlatformSelection.Own);
            foreach (var (platform, _) in chosen)
            {
                if (!await FetchAsync(round, platform, depth + 1, cancellationToken))
                {
                    return false;
                }
            }

            return true;
        }

        var blobs = await Task.WhenAll(ManifestReferences.HeldWith(manifest.Content.Span).Distinct().Select(blob => FillAsync(round, blob, cancellationToken)));
        return blobs.All(ok => ok);
    }

    /// <summary>Stores one config or layer through the fill clients share; false when it could not be stored.</summary>
    private async Task<bool> FillAsync(Round round, Digest digest, CancellationToken cancellationToken)
    {
        var repository = round.Image.Repository;
        if (_blobStore.Contains(digest) && await _provenance.HasServedAsync(repository, digest, cancellationToken))
        {
            return true;
        }

        await _fills.WaitAsync(cancellationToken);
        try
        {
            using var lookup = await _blobs.OpenAsync(round.Source, repository, digest, cancellationToken);
            var stored = lookup switch
            {
                StoredBlob => true,
                FillingBlob filling => await filling.Reader.VerifiedAsync(cancellationToken),
                _ => false,
            };
            if (!stored)
            {
                Fail(round.Image, $"the blob {digest} could not be stored ({(lookup as FailedBlob)?.Status.ToString() ?? "the fill failed"})");
            }
            else
            {
                Interlocked.Increment(ref round.Blobs);
            }

            return stored;
        }
        finally
        {
            _fills.Release();
        }
    }

    /// <summary>
    /// The platforms clients pulled under the tag before: those of the platform manifests the store holds of the
    /// lists the tag pointed at (now and before its last move); the mirror stores a platform manifest only when
    /// someone asked for it.
    /// </summary>
    private async Task<IReadOnlyCollection<string>> PulledBeforeAsync(WatchedImage image, CancellationToken cancellationToken)
    {
        var platforms = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (await _tags.TryFindAsync(image.Repository, image.Tag, cancellationToken) is not { } record)
        {
            return platforms;
        }

        foreach (var digest in new[] { record.Digest, record.Previous }.OfType<string>().Select(d => Digest.TryParse(d)).OfType<Digest>())
        {
            if (_manifestStore.Contains(digest) && await _manifestStore.TryFindAsync(digest, cancellationToken) is { } list)
            {
                platforms.UnionWith(PlatformSelection.Entries(list.Content.Span).Where(e => _manifestStore.Contains(e.Digest)).Select(e => e.Platform));
            }
        }

        return platforms;
    }

    /// <summary>Whether the round was deferred by the pull budget: said once, counted, and shown.</summary>
    private bool Deferred(Round round)
    {
        if (round.Source.Deferral is not { } deferral || round.Said)
        {
            return round.Source.Deferral is not null;
        }

        round.Said = true;
        WatchLog.Deferred(_logger, round.Image.ToString(), round.Source.Name, deferral.Until, deferral.Reason);
        _metrics.WatchDeferred(round.Source.Name);
        _board.Deferred(round.Image, deferral);
        return true;
    }

    private void Fail(WatchedImage image, string problem)
    {
        WatchLog.Failed(_logger, image.ToString(), problem);
        _board.Failed(image, problem);
    }

    /// <summary>What one round has done so far.</summary>
    private sealed class Round(WatchedImage image, WatchSource source)
    {
        public int Blobs;

        public WatchedImage Image { get; } = image;

        public WatchSource Source { get; } = source;

        public int Manifests { get; set; }

        public bool Said { get; set; }
    }
}
