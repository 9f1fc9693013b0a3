using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// What the bucket of <c>storage.s3</c> holds, as <c>ls</c> lists it, whatever the local directory holds: the
/// manifests the bucket stores (each read once for what it names and its platforms) and the lengths of its
/// objects, grouped by the repositories and tags the given records know (Redis's in a cluster, the local
/// metadata's otherwise); an image whose repository no record knows is listed by digest alone. Last pulls are
/// not in the bucket: an image's is its object's last write.
/// </summary>
internal sealed class BucketInventoryReader(IContentBucket bucket, IStorePins pins)
{
    private readonly Dictionary<Digest, BucketObject> _blobs = [];
    private readonly Dictionary<Digest, (BucketObject Object, string MediaType, IReadOnlyList<Digest> References, List<(string Platform, Digest Digest)> Platforms)> _manifests = [];

    public async Task<StoreInventory> ReadAsync(string root, IEnumerable<TagRecord> tags, IEnumerable<(string Repository, Digest Digest)> links, CancellationToken cancellationToken)
    {
        await foreach (var item in bucket.ListAsync(cancellationToken))
        {
            if (!item.IsManifest)
            {
                _blobs[item.Digest] = item;
            }
            else if (await bucket.GetManifestAsync(item.Digest, cancellationToken) is var (mediaType, content))
            {
                _manifests[item.Digest] = (item, mediaType, ManifestReferences.Of(content), InventoryReader.PlatformsOf(content));
            }
        }

        var named = _manifests.Values.SelectMany(m => m.References).ToHashSet();
        var records = tags.GroupBy(r => (r.Repository, r.Tag)).Select(g => g.MaxBy(r => r.CheckedAt)!).Where(r => !SignatureTags.IsReferrersRecord(r.Tag) && Digest.TryParse(r.Digest) is { } d && _manifests.ContainsKey(d)).ToList();
        var held = records.Select(r => (r.Repository, Digest: Digest.Parse(r.Digest)))
            .Concat(links.Where(l => _manifests.ContainsKey(l.Digest) && !named.Contains(l.Digest)))
            .ToLookup(l => l.Repository, l => l.Digest, StringComparer.Ordinal);
        var claimed = new HashSet<Digest>();
        var listed = new HashSet<Digest>();
        var repositories = new List<RepositoryInventory>();
        foreach (var group in held)
        {
            if (RepositoryKey.FromValue(group.Key) is not { } key)
            {
                continue;
            }

            var tagsOf = records.Where(r => r.Repository == group.Key).ToLookup(r => Digest.Parse(r.Digest), r => r.Tag);
            var images = group.Distinct().Select(d => Image(d, tagsOf[d].Order(StringComparer.Ordinal).ToList(), claimed)).OrderBy(i => i.Tags.Count > 0 ? i.Tags[0] : "\uffff" + i.Digest, StringComparer.Ordinal).ToList();
            listed.UnionWith(images.Select(i => i.Digest));
            repositories.Add(new RepositoryInventory(key, images, 0, 0, images.Max(i => i.LastPull)));
        }

        var byDigest = _manifests.Keys.Where(d => !named.Contains(d) && !listed.Contains(d))
            .Select(d => Image(d, [], claimed)).OrderBy(i => i.Digest.ToString(), StringComparer.Ordinal).ToList();
        var unclaimed = _blobs.Values.Concat(_manifests.Values.Select(m => m.Object)).Where(o => !claimed.Contains(o.Digest)).ToList();
        return new StoreInventory(
            root,
            _blobs.Count,
            _manifests.Count,
            _blobs.Values.Sum(b => b.Length) + _manifests.Values.Sum(m => m.Object.Length),
            repositories.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal).ToList(),
            unclaimed.Count,
            unclaimed.Sum(o => o.Length),
            byDigest);
    }

    private ImageInventory Image(Digest digest, IReadOnlyList<string> tags, HashSet<Digest> claimed)
    {
        var reached = new HashSet<Digest>();
        var size = SizeOf(digest, reached);
        claimed.UnionWith(reached);
        var manifest = _manifests.GetValueOrDefault(digest);
        var platforms = manifest.Platforms?.Select(p => new PlatformInventory(p.Platform, p.Digest, _manifests.ContainsKey(p.Digest))).ToList() ?? [];
        return new ImageInventory(digest, tags, manifest.MediaType, manifest.Platforms is not null, size, platforms, manifest.Object.LastModified, pins.IsPinned(DigestKey.Of(digest)));
    }

    /// <summary>The bucket's bytes of <paramref name="digest"/> and what it names, each digest counted once.</summary>
    private long SizeOf(Digest digest, HashSet<Digest> reached)
    {
        if (!reached.Add(digest))
        {
            return 0;
        }

        if (_manifests.TryGetValue(digest, out var manifest))
        {
            return manifest.Object.Length + manifest.References.Sum(d => SizeOf(d, reached));
        }

        return _blobs.TryGetValue(digest, out var blob) ? blob.Length : 0;
    }
}
