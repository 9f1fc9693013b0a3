using System.Diagnostics;
using System.Text.Json;
using Mirror.Gateway.Registry;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// Warms one image through the mirror as a pull would: its manifest (by tag, which the mirror checks
/// upstream, or by digest), for a list or index each chosen platform's manifest, then the config and layers
/// of each, a few at a time. A blob the mirror reports stored (a HEAD it answers as a hit) is not
/// downloaded again; any other is GET to the end, so the mirror's fill completes and commits it.
/// </summary>
internal sealed class ImagePrefetcher(MirrorClient mirror, PlatformFilter platforms, IPrefetchObserver observer)
{
    /// <summary>Blobs of one image fetched at once, as dockerd's default max-concurrent-downloads.</summary>
    private const int ConcurrentBlobs = 3;

    public async Task<ImageResult> PrefetchAsync(ImageReference image, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var tally = new Tally();
        string? failure = null;
        try
        {
            var plan = await PlanAsync(image, tally, cancellationToken);
            observer.Planned(image, plan);
            await Parallel.ForEachAsync(plan.Blobs, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentBlobs, CancellationToken = cancellationToken }, async (blob, ct) =>
            {
                var (size, hit) = await FetchAsync(image, blob.Digest, blob.Size, ct);
                tally.Blob(size, hit);
                observer.BlobDone(image, blob.Digest, size, hit);
            });
        }
        catch (PrefetchFailedException ex)
        {
            failure = ex.Message;
        }

        var result = new ImageResult(image, tally.Manifests, tally.Blobs, tally.Fetched, tally.Cached, Stopwatch.GetElapsedTime(started), failure);
        observer.Finished(result);
        return result;
    }

    /// <summary>
    /// Reads the image's manifests as a pull does: the one it names, and for a list or index each chosen
    /// platform's; what they name is the plan.
    /// </summary>
    private async Task<ImagePlan> PlanAsync(ImageReference image, Tally tally, CancellationToken cancellationToken)
    {
        var top = await GetManifestAsync(image, image.Reference, tally, cancellationToken);
        if (Children(top.Content) is not { } children)
        {
            return new ImagePlan([], BlobsOf(top.Content).DistinctBy(b => b.Digest).ToList());
        }

        var wanted = children.Where(c => platforms.Wants(c.Descriptor)).ToList();
        if (wanted.Count == 0)
        {
            throw new PrefetchFailedException($"no manifest for {string.Join(", ", platforms.Platforms)}; it has {string.Join(", ", children.Select(c => PlatformFilter.NameOf(c.Descriptor)).Distinct())}");
        }

        var images = new List<FetchedManifest>();
        foreach (var (_, digest) in wanted)
        {
            images.Add(await GetManifestAsync(image, digest.ToString(), tally, cancellationToken));
        }

        return new ImagePlan(wanted.Select(c => PlatformFilter.NameOf(c.Descriptor)).ToList(), images.SelectMany(m => BlobsOf(m.Content)).DistinctBy(b => b.Digest).ToList());
    }

    private async Task<FetchedManifest> GetManifestAsync(ImageReference image, string reference, Tally tally, CancellationToken cancellationToken)
    {
        var manifest = await mirror.GetManifestAsync(image, reference, cancellationToken);
        tally.Manifest(manifest.Content.Length, manifest.Cached);
        return manifest;
    }

    /// <summary>One blob: found stored by a HEAD, or GET to the end; its size and whether the mirror had it.</summary>
    private async Task<(long Size, bool Hit)> FetchAsync(ImageReference image, Digest digest, long size, CancellationToken cancellationToken)
    {
        if (await mirror.IsStoredAsync(image, digest, cancellationToken))
        {
            observer.Advanced(image, size);
            return (size, true);
        }

        var received = 0L;
        var hit = await mirror.FetchBlobAsync(image, digest, read =>
        {
            received += read;
            observer.Advanced(image, read);
        }, cancellationToken);
        return (received, hit);
    }

    /// <summary>A list's or index's entries (image-spec: index, <c>manifests</c>), or <c>null</c> for an image manifest.</summary>
    private static List<(JsonElement Descriptor, Digest Digest)>? Children(byte[] content)
    {
        using var document = Parse(content);
        if (!document.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        return manifests.EnumerateArray()
            .Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("digest", out _))
            .Select(d => (d.Clone(), Digest.TryParse(d.GetProperty("digest").GetString())
                ?? throw new PrefetchFailedException($"the list names '{d.GetProperty("digest")}', which is not a digest")))
            .ToList();
    }

    /// <summary>
    /// An image manifest's config and layers with their sizes (schema 2 and OCI; schema 1's <c>fsLayers</c>
    /// without sizes); foreign layers (with <c>urls</c>), which registries do not hold, are left out.
    /// </summary>
    private static List<(Digest Digest, long Size)> BlobsOf(byte[] content)
    {
        using var document = Parse(content);
        var root = document.RootElement;
        var descriptors = new List<JsonElement>();
        if (root.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object)
        {
            descriptors.Add(config);
        }

        if (root.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
        {
            descriptors.AddRange(layers.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.Object && !l.TryGetProperty("urls", out _)));
        }

        var blobs = new List<(Digest Digest, long Size)>();
        foreach (var descriptor in descriptors)
        {
            if (descriptor.TryGetProperty("digest", out var digest) && Digest.TryParse(digest.GetString()) is { } parsed)
            {
                blobs.Add((parsed, descriptor.TryGetProperty("size", out var size) && size.TryGetInt64(out var bytes) ? bytes : 0));
            }
        }

        if (root.TryGetProperty("fsLayers", out var fsLayers) && fsLayers.ValueKind == JsonValueKind.Array)
        {
            foreach (var layer in fsLayers.EnumerateArray())
            {
                if (layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("blobSum", out var sum) && Digest.TryParse(sum.GetString()) is { } parsed)
                {
                    blobs.Add((parsed, 0));
                }
            }
        }

        return blobs;
    }

    private static JsonDocument Parse(byte[] content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException ex)
        {
            throw new PrefetchFailedException($"the manifest is not JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new PrefetchFailedException("the manifest is not a JSON object");
        }

        return document;
    }

    /// <summary>What an image's prefetch has fetched so far, counted as its blobs come in, a few at a time.</summary>
    private sealed class Tally
    {
        private readonly Lock _gate = new();

        public int Manifests { get; private set; }

        public int Blobs { get; private set; }

        public long Fetched { get; private set; }

        public long Cached { get; private set; }

        public void Manifest(long size, bool cached)
        {
            lock (_gate)
            {
                Manifests++;
                Add(size, cached);
            }
        }

        public void Blob(long size, bool cached)
        {
            lock (_gate)
            {
                Blobs++;
                Add(size, cached);
            }
        }

        private void Add(long size, bool cached)
        {
            if (cached)
            {
                Cached += size;
            }
            else
            {
                Fetched += size;
            }
        }
    }
}
