using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Policy;

/// <summary>
/// Whether a manifest is an artifact beside an image (a signature, attestation, SBOM, referrer) rather than an
/// image a client could run: an image manifest with layers, none of them a container layer type
/// (<c>application/vnd.oci.image.layer.*</c>, <c>application/vnd.docker.image.rootfs.*</c>). An image pushed
/// under a signature's tag is still an image, and still under the policy.
/// </summary>
public static class ArtifactManifest
{
    private static readonly string[] RunnableLayers = ["application/vnd.oci.image.layer.", "application/vnd.docker.image.rootfs.", "application/vnd.docker.container."];

    public static bool IsArtifact(ReadOnlySpan<byte> manifest)
    {
        try
        {
            var reader = new Utf8JsonReader(manifest);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array || layers.GetArrayLength() == 0)
            {
                return false;
            }

            return layers.EnumerateArray().All(layer =>
                layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String
                && !RunnableLayers.Any(prefix => type.GetString()!.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether a manifest served as <paramref name="mediaType"/> is an index or list.</summary>
    public static bool IsIndex(string? mediaType) => mediaType is MediaTypes.OciIndex or MediaTypes.DockerManifestList;
}
