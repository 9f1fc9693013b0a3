using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Policy;

/// <summary>
/// cosign's simple-signing payload (containers/image docs/containers-signature.5.md, with cosign's
/// <c>critical.type</c>): what a signature says it signs. Keys are read without regard to case, as Go's
/// encoding/json reads them (cosign's own spec shows <c>Docker-manifest-digest</c>).
/// </summary>
public sealed record SimpleSigningPayload(string? Type, Digest? ManifestDigest)
{
    /// <summary>The <c>critical.type</c> of cosign's signatures.</summary>
    public const string CosignType = "cosign container image signature";

    /// <summary>The most of a payload the mirror reads: a payload is a few hundred bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    public bool IsCosign => Type == CosignType;

    /// <summary>The payload's claims; <c>null</c> when it is no JSON object with a <c>critical</c> object.</summary>
    public static SimpleSigningPayload? TryRead(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            if (Property(document.RootElement, "critical") is not { ValueKind: JsonValueKind.Object } critical)
            {
                return null;
            }

            var type = Property(critical, "type") is { ValueKind: JsonValueKind.String } t ? t.GetString() : null;
            var digest = Property(critical, "image") is { ValueKind: JsonValueKind.Object } image
                && Property(image, "docker-manifest-digest") is { ValueKind: JsonValueKind.String } d
                ? Digest.TryParse(d.GetString())
                : null;
            return new SimpleSigningPayload(type, digest);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
