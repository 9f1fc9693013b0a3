using System.Text.Json;

namespace Mirror.Cache.Content;

/// <summary>
/// The digests a manifest names (image-spec: <c>config</c>, <c>layers</c>; index: <c>manifests</c>; Docker
/// schema 1: <c>fsLayers[].blobSum</c>), so that content a recently pulled manifest needs is kept with it.
/// </summary>
internal static class ManifestReferences
{
    public static IReadOnlyList<Digest> Of(ReadOnlySpan<byte> manifest)
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

            Add(references, root, "config");
            foreach (var list in new[] { "layers", "manifests", "blobs" })
            {
                if (root.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in items.EnumerateArray())
                    {
                        Add(references, item, null);
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

    private static void Add(List<Digest> references, JsonElement element, string? property)
    {
        if (property is not null && !element.TryGetProperty(property, out element))
        {
            return;
        }

        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("digest", out var digest) && Digest.TryParse(digest.GetString()) is { } parsed)
        {
            references.Add(parsed);
        }
    }
}
