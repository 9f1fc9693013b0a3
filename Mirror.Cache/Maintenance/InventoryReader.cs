using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// Puts together what a loaded store holds from the index (files, sizes, last uses), the tag journal (tag to
/// digest) and the links (which repository holds which digest), reading each stored manifest once for what
/// it names.
/// </summary>
internal sealed class InventoryReader(StoreLayout layout, StoreIndex index, ITagStore tags, IRepositoryLinks links, IStorePins pins)
{
    private readonly Dictionary<Digest, Manifest?> _manifests = [];

    public StoreInventory Read()
    {
        var held = new Dictionary<string, HashSet<Digest>>(StringComparer.Ordinal);
        foreach (var (repository, digest) in links.All)
        {
            HeldBy(held, repository).Add(digest);
        }

        // The upstream's referrers answers are kept as tag records, but are no tags of an image.
        var records = tags.Records.Where(r => !SignatureTags.IsReferrersRecord(r.Tag)).ToList();
        var tagged = records.ToLookup(r => r.Repository, StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (Digest.TryParse(record.Digest) is { } digest)
            {
                HeldBy(held, record.Repository).Add(digest);
            }
        }

        var claimed = new HashSet<Digest>();
        var repositories = new List<RepositoryInventory>();
        foreach (var (value, digests) in held)
        {
            if (RepositoryKey.FromValue(value) is { } key)
            {
                repositories.Add(Repository(key, digests, tagged[value], claimed));
            }
        }

        var (unclaimedFiles, unclaimedBytes) = (0L, 0L);
        foreach (var file in layout.Files())
        {
            var digest = file.Sha512 ?? file.Key.ToSha256Digest();
            if (!claimed.Contains(digest))
            {
                unclaimedFiles++;
                unclaimedBytes += file.Length;
            }
        }

        return new StoreInventory(
            layout.Root,
            index.Blobs,
            index.Manifests,
            index.Bytes,
            repositories.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal).ToList(),
            unclaimedFiles,
            unclaimedBytes);
    }

    private RepositoryInventory Repository(RepositoryKey key, HashSet<Digest> digests, IEnumerable<TagRecord> tagRecords, HashSet<Digest> claimed)
    {
        var tagsOf = tagRecords
            .Where(r => Digest.TryParse(r.Digest) is not null)
            .GroupBy(r => Digest.Parse(r.Digest))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Tag).Order(StringComparer.Ordinal).ToList());

        // The manifests it holds: tagged ones (stored or not), and stored manifests it is linked to.
        var manifests = digests.Where(d => tagsOf.ContainsKey(d) || index.TryFind(ContentKind.Manifest, d) is not null).ToHashSet();
        var named = manifests.SelectMany(d => ManifestOf(d)?.References ?? []).ToHashSet();

        var images = new List<ImageInventory>();
        DateTimeOffset? lastPull = null;
        foreach (var digest in manifests.Where(d => tagsOf.ContainsKey(d) || !named.Contains(d)))
        {
            var entry = index.TryFind(ContentKind.Manifest, digest);
            var manifest = ManifestOf(digest);
            var reached = new HashSet<Digest>();
            var size = SizeOf(digest, reached);
            claimed.UnionWith(reached);
            var platforms = manifest?.Platforms.Select(p => new PlatformInventory(p.Platform, p.Digest, index.TryFind(ContentKind.Manifest, p.Digest) is not null)).ToList() ?? [];
            images.Add(new ImageInventory(digest, tagsOf.GetValueOrDefault(digest, []), manifest?.MediaType, entry is not null, size, platforms, entry?.LastUse, pins.IsPinned(DigestKey.Of(digest))));
            if (entry is not null && (lastPull is null || entry.LastUse > lastPull))
            {
                lastPull = entry.LastUse;
            }
        }

        var (blobs, blobBytes) = (0, 0L);
        foreach (var digest in digests)
        {
            if (index.TryFind(ContentKind.Blob, digest) is { } blob)
            {
                blobs++;
                blobBytes += blob.Length;
                claimed.Add(digest);
            }
        }

        images.Sort((a, b) => (a.Tags.Count > 0 ? a.Tags[0] : null, b.Tags.Count > 0 ? b.Tags[0] : null) switch
        {
            (null, null) => string.CompareOrdinal(a.Digest.ToString(), b.Digest.ToString()),
            (null, _) => 1,
            (_, null) => -1,
            var (x, y) => string.CompareOrdinal(x, y),
        });
        return new RepositoryInventory(key, images, blobs, blobBytes, lastPull);
    }

    /// <summary>The stored bytes of <paramref name="digest"/> and what it names, each digest counted once.</summary>
    private long SizeOf(Digest digest, HashSet<Digest> reached)
    {
        if (!reached.Add(digest))
        {
            return 0;
        }

        if (index.TryFind(ContentKind.Manifest, digest) is { } manifest)
        {
            return manifest.Length + (ManifestOf(digest)?.References ?? []).Sum(d => SizeOf(d, reached));
        }

        return index.TryFind(ContentKind.Blob, digest)?.Length ?? 0;
    }

    private Manifest? ManifestOf(Digest digest)
    {
        if (_manifests.TryGetValue(digest, out var known))
        {
            return known;
        }

        Manifest? manifest = null;
        var path = layout.PathOf(ContentKind.Manifest, digest);
        try
        {
            var content = File.ReadAllBytes(path);
            var mediaType = File.Exists(StoreLayout.TypePathOf(path)) ? File.ReadAllText(StoreLayout.TypePathOf(path)) : null;
            manifest = new Manifest(ManifestReferences.Of(content), PlatformsOf(content), mediaType ?? ManifestTypes.TryResolve(null, content) ?? MediaTypes.Json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not stored (or removed meanwhile): it names nothing that can be listed.
        }

        _manifests[digest] = manifest;
        return manifest;
    }

    /// <summary>A list's or index's platforms (image-spec: index, <c>manifests[].platform</c>), as <c>os/architecture[/variant]</c>.</summary>
    internal static List<(string Platform, Digest Digest)> PlatformsOf(byte[] content)
    {
        var platforms = new List<(string, Digest)>();
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
            {
                return platforms;
            }

            foreach (var item in manifests.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("digest", out var digest) && Digest.TryParse(digest.GetString()) is { } parsed)
                {
                    platforms.Add((PlatformName(item), parsed));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: no platforms.
        }

        return platforms;
    }

    private static string PlatformName(JsonElement descriptor)
    {
        if (!descriptor.TryGetProperty("platform", out var platform) || platform.ValueKind != JsonValueKind.Object)
        {
            return "unknown";
        }

        string? Field(string name) => platform.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var name = $"{Field("os") ?? "unknown"}/{Field("architecture") ?? "unknown"}";
        return Field("variant") is { Length: > 0 } variant ? $"{name}/{variant}" : name;
    }

    private static HashSet<Digest> HeldBy(Dictionary<string, HashSet<Digest>> held, string repository)
    {
        if (!held.TryGetValue(repository, out var digests))
        {
            held[repository] = digests = [];
        }

        return digests;
    }

    private sealed record Manifest(IReadOnlyList<Digest> References, List<(string Platform, Digest Digest)> Platforms, string MediaType);
}
