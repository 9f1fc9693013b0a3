using System.Text.Json;

namespace Mirror.Cache.Protocol;

/// <summary>
/// Which media types a manifest is served as. The mirror serves manifests on its own origin, where a browser
/// may hold its Basic credentials, so an upstream's word is not enough: only the manifest types of the OCI
/// image spec and Docker's (image manifest, index, Docker v2 manifest and list, Docker schema 1) are served,
/// never another (<c>text/html</c>, an SVG, the withdrawn OCI artifact manifest).
/// </summary>
public static class ManifestTypes
{
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifestV1,
        MediaTypes.DockerManifestV1Signed, MediaTypes.OciManifest, MediaTypes.OciIndex,
    };

    /// <summary>
    /// Content types that name no type (or none at all): static file servers and object stores send these
    /// for any JSON, so the manifest itself says what it is.
    /// </summary>
    private static readonly HashSet<string> Generic = new(StringComparer.OrdinalIgnoreCase)
    {
        MediaTypes.Json, MediaTypes.OctetStream, "binary/octet-stream", "text/plain",
    };

    /// <summary>Whether <paramref name="mediaType"/> is a manifest type the mirror serves.</summary>
    public static bool IsServed(string? mediaType) => mediaType is not null && Known.Contains(mediaType);

    /// <summary>
    /// Whether an upstream's <c>Content-Type</c> names a type that is no manifest's (neither a manifest type
    /// nor a generic one): such an answer is refused without a look at its body, as a HEAD's must be.
    /// </summary>
    public static bool NamesOtherType(string? contentType) =>
        contentType is not null && !Known.Contains(contentType) && !Generic.Contains(contentType);

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
    /// The type a manifest the upstream sent is served as, in its canonical spelling: the upstream's
    /// <c>Content-Type</c> when it is a manifest type; when it is generic or absent, the manifest's own
    /// <c>mediaType</c> field (image-spec: manifests and indexes carry it), or else what its structure shows.
    /// <c>null</c> when it is not a manifest the mirror serves: another type named by either, or JSON that
    /// is neither a manifest nor an index.
    /// </summary>
    public static string? TryResolve(string? contentType, ReadOnlySpan<byte> content)
    {
        if (contentType is not null && Known.TryGetValue(contentType, out var named))
        {
            return named;
        }

        return NamesOtherType(contentType) ? null : OfContent(content);
    }

    private static string? OfContent(ReadOnlySpan<byte> content)
    {
        try
        {
            var reader = new Utf8JsonReader(content);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("mediaType", out var declared))
            {
                return declared.ValueKind == JsonValueKind.String && Known.TryGetValue(declared.GetString()!, out var type) ? type : null;
            }

            return OfStructure(root);
        }
        catch (JsonException)
        {
            // Not JSON, so no manifest.
            return null;
        }
    }

    /// <summary>
    /// A manifest without a <c>mediaType</c> (image-spec makes it a SHOULD, so older OCI content lacks it):
    /// an index lists <c>manifests</c>, an image manifest has a <c>config</c> and <c>layers</c>, and Docker's
    /// schema 1 has <c>fsLayers</c> (signed when it carries <c>signatures</c>).
    /// </summary>
    private static string? OfStructure(JsonElement root)
    {
        if (root.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array)
        {
            return MediaTypes.OciIndex;
        }

        if (root.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
        {
            return MediaTypes.OciManifest;
        }

        if (root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var number) && number == 1
            && root.TryGetProperty("fsLayers", out var fsLayers) && fsLayers.ValueKind == JsonValueKind.Array)
        {
            return root.TryGetProperty("signatures", out _) ? MediaTypes.DockerManifestV1Signed : MediaTypes.DockerManifestV1;
        }

        return null;
    }
}
