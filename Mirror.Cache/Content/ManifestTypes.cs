using System.Text.Json;

namespace Mirror.Cache.Content;

/// <summary>Works out a manifest's media type when the upstream's Content-Type does not name one.</summary>
public static class ManifestTypes
{
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifestV1,
        MediaTypes.DockerManifestV1Signed, MediaTypes.OciManifest, MediaTypes.OciIndex,
    };

    /// <summary>
    /// What to send upstream as <c>Accept</c>: the client's own, when it names a manifest type; otherwise
    /// (none, or <c>*/*</c> from a plain HTTP client) every type, since registries answer a bare or wildcard
    /// Accept with a conversion to schema 1, or an error.
    /// </summary>
    public static string AcceptFor(string given) =>
        Known.Any(type => given.Contains(type, StringComparison.OrdinalIgnoreCase)) ? given : MediaTypes.AllManifests;

    /// <summary>Whether a client that sent <paramref name="accept"/> (as passed upstream) can take <paramref name="mediaType"/>.</summary>
    public static bool Accepts(string accept, string mediaType) =>
        accept.Contains(mediaType, StringComparison.OrdinalIgnoreCase) || !Known.Contains(mediaType);

    /// <summary>
    /// The upstream's Content-Type when it is a manifest type; else the manifest's own <c>mediaType</c> field
    /// (image-spec: manifests and indexes carry it); else what the upstream said, or JSON.
    /// </summary>
    public static string Resolve(string? contentType, ReadOnlySpan<byte> content)
    {
        if (contentType is not null && Known.Contains(contentType))
        {
            return contentType;
        }

        try
        {
            var reader = new Utf8JsonReader(content);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("mediaType", out var mediaType)
                && mediaType.GetString() is { Length: > 0 } declared)
            {
                return declared;
            }
        }
        catch (JsonException)
        {
            // Not JSON: served with whatever type the upstream gave it.
        }

        return contentType ?? MediaTypes.Json;
    }
}
