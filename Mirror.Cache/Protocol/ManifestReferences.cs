using System.Text.Json;

namespace Mirror.Cache.Protocol;

/// <summary>
/// The digests a manifest names (image-spec: <c>config</c>, <c>layers</c>; index: <c>manifests</c>; Docker
/// schema 1: <c>fsLayers[].blobSum</c>), so that content a recently pulled manifest needs is kept with it.
/// </summary>
internal static class ManifestReferences
{
    /// <summary>Every digest the manifest names, for keeping what it needs with it.</summary>
    public static IReadOnlyList<Digest> Of(ReadOnlySpan<byte> manifest) => Read(manifest, heldOnly: false);

    /// <summary>
    /// The digests a registry keeps in the manifest's repository: all it names but foreign layers, which carry
    /// <c>urls</c> (image-spec: non-distributable) and which a registry accepts without holding them, so a
    /// manifest naming some other repository's private layer as foreign shows nothing about where it is.
    /// </summary>
    public static IReadOnlyList<Digest> HeldWith(ReadOnlySpan<byte> manifest) => Read(manifest, heldOnly: true);

    private static List<Digest> Read(ReadOnlySpan<byte> manifest, bool heldOnly)
    {
        var references = new List<Digest>();
        try
        {
            var reader = new Utf8JsonReader(manifest);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return references;
            }

            Add(references, root, "config", heldOnly);
            foreach (var list in Lists)
            {
                if (root.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in items.EnumerateArray())
                    {
                        Add(references, item, null, heldOnly);
                    }
                }
            }

            if (root.TryGetProperty("fsLayers", out var layers) && layers.ValueKind == JsonValueKind.Array)
            {
                foreach (var layer in layers.EnumerateArray())
                {
                    if (layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("blobSum", out var sum) && Digest.TryParse(sum.GetString()) is { } digest)
                    {
                        references.Add(digest);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: it names nothing the mirror can keep for it.
        }

        return references;
    }

    private static readonly string[] Lists = ["layers", "manifests", "blobs"];

    private static void Add(List<Digest> references, JsonElement element, string? property, bool heldOnly)
    {
        if (property is not null && !element.TryGetProperty(property, out element))
        {
            return;
        }

        if (heldOnly && element.ValueKind == JsonValueKind.Object && element.TryGetProperty("urls", out _))
        {
            return;
        }

        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("digest", out var digest) && Digest.TryParse(digest.GetString()) is { } parsed)
        {
            references.Add(parsed);
        }
    }
}
