using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Referrers;

/// <summary>
/// The referrers API's answer (distribution-spec 1.1, "Listing Referrers"): an OCI image index whose
/// <c>manifests</c> are the descriptors of the manifests whose <c>subject</c> is the digest asked for.
/// </summary>
public static class ReferrersIndex
{
    /// <summary>The answer with no referrers: a registry that serves the API answers so, never 404.</summary>
    public static readonly byte[] Empty = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();

    /// <summary>Whether <paramref name="content"/> is an index: a JSON object with a <c>manifests</c> array.</summary>
    public static bool IsIndex(ReadOnlySpan<byte> content) => Descriptors(content) is not null;

    /// <summary>
    /// One index of every page's descriptors, in order (the upstream's <c>Link</c> pagination, distribution-spec
    /// 1.1); <c>null</c> when a page is no index.
    /// </summary>
    public static byte[]? Merge(IReadOnlyList<byte[]> pages)
    {
        if (pages.Count == 1)
        {
            return IsIndex(pages[0]) ? pages[0] : null;
        }

        var all = new JsonArray();
        foreach (var page in pages)
        {
            if (Descriptors(page) is not { } descriptors)
            {
                return null;
            }

            foreach (var descriptor in descriptors)
            {
                all.Add(descriptor);
            }
        }

        return Write(all);
    }

    /// <summary>
    /// The index with only the descriptors whose <c>artifactType</c> is <paramref name="artifactType"/>
    /// (distribution-spec 1.1: the <c>artifactType</c> query parameter).
    /// </summary>
    public static byte[] Filter(ReadOnlySpan<byte> index, string artifactType)
    {
        var kept = new JsonArray();
        foreach (var descriptor in Descriptors(index) ?? [])
        {
            if (descriptor is JsonObject item && item["artifactType"] is JsonValue type && type.TryGetValue<string>(out var value) && value == artifactType)
            {
                kept.Add(descriptor);
            }
        }

        return Write(kept);
    }

    /// <summary>The index written by the node itself (<see cref="JsonNode.WriteTo"/>: no reflection, as in the native build).</summary>
    private static byte[] Write(JsonArray descriptors)
    {
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = descriptors,
        };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            index.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The index's descriptors, detached from it; <c>null</c> when it is no index.</summary>
    private static List<JsonNode?>? Descriptors(ReadOnlySpan<byte> content)
    {
        try
        {
            var reader = new Utf8JsonReader(content);
            if (JsonNode.Parse(ref reader) is not JsonObject root || root["manifests"] is not JsonArray manifests)
            {
                return null;
            }

            var descriptors = manifests.ToList();
            manifests.Clear();
            return descriptors;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
