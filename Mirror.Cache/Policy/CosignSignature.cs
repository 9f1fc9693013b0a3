using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Policy;

/// <summary>
/// One signature of a cosign signature manifest (sigstore/cosign specs/SIGNATURE_SPEC.md, "OCI Image Manifest
/// V1"): a layer of type <c>application/vnd.dev.cosign.simplesigning.v1+json</c> whose blob is the payload, with
/// the base64 signature in its annotation <c>dev.cosignproject.cosign/signature</c>.
/// </summary>
public sealed record CosignSignature(Digest Payload, long Size, byte[] Signature)
{
    public const string PayloadType = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";

    /// <summary>The signatures of a signature manifest; layers of other types, or without a readable signature, are passed over.</summary>
    public static IReadOnlyList<CosignSignature> ReadAll(ReadOnlySpan<byte> manifest)
    {
        var signatures = new List<CosignSignature>();
        try
        {
            var reader = new Utf8JsonReader(manifest);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                return signatures;
            }

            foreach (var layer in layers.EnumerateArray())
            {
                if (TryRead(layer) is { } signature)
                {
                    signatures.Add(signature);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: no signature.
        }

        return signatures;
    }

    private static CosignSignature? TryRead(JsonElement layer)
    {
        if (layer.ValueKind != JsonValueKind.Object
            || !layer.TryGetProperty("mediaType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != PayloadType
            || !layer.TryGetProperty("digest", out var digestText) || Digest.TryParse(digestText.GetString()) is not { } digest
            || !layer.TryGetProperty("size", out var sizeValue) || !sizeValue.TryGetInt64(out var size) || size is < 0 or > SimpleSigningPayload.MaxBytes
            || !layer.TryGetProperty("annotations", out var annotations) || annotations.ValueKind != JsonValueKind.Object
            || !annotations.TryGetProperty(SignatureAnnotation, out var signatureText) || signatureText.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var bytes = new byte[signatureText.GetString()!.Length];
        return Convert.TryFromBase64String(signatureText.GetString()!, bytes, out var written)
            ? new CosignSignature(digest, size, bytes[..written])
            : null;
    }
}
