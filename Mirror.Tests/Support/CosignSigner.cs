using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Support;

/// <summary>
/// Signs images as cosign 2.x does with a key (sigstore/cosign specs/SIGNATURE_SPEC.md): a simple-signing
/// payload naming the image's digest, signed (ECDSA: ASN.1 DER over SHA-256, as <c>openssl dgst -sha256
/// -sign</c> makes it, which cosign's EXAMPLES.md verifies; RSA: PKCS#1 v1.5 with SHA-256), base64 in the
/// layer annotation <c>dev.cosignproject.cosign/signature</c> of an OCI manifest whose config is cosign's.
/// </summary>
internal sealed class CosignSigner : IDisposable
{
    public const string PayloadType = "application/vnd.dev.cosign.simplesigning.v1+json";

    private readonly AsymmetricAlgorithm _key;

    private CosignSigner(AsymmetricAlgorithm key) => _key = key;

    public static CosignSigner Ecdsa(ECCurve? curve = null) => new(ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256));

    public static CosignSigner Rsa() => new(System.Security.Cryptography.RSA.Create(2048));

    /// <summary>The public key as <c>cosign generate-key-pair</c> writes <c>cosign.pub</c>: a PEM SubjectPublicKeyInfo.</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>The private key in PKCS#8 PEM, for <c>openssl dgst -sign</c>.</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// cosign's payload for <paramref name="digest"/>, as Go's encoding/json writes sigstore's
    /// <c>payload.SimpleContainerImage</c> (fields in that order, <c>optional</c> null when there are no annotations).
    /// </summary>
    public static byte[] Payload(string reference, Digest digest, string type = "cosign container image signature") =>
        Encoding.UTF8.GetBytes(
            $"{{\"critical\":{{\"identity\":{{\"docker-reference\":\"{reference}\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}},\"type\":\"{type}\"}},\"optional\":null}}");

    /// <summary>The base64 signature of <paramref name="payload"/>.</summary>
    public string Sign(byte[] payload) => Convert.ToBase64String(_key switch
    {
        ECDsa ecdsa => ecdsa.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
        RSA rsa => rsa.SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(),
    });

    /// <summary>
    /// The signature image for <paramref name="digest"/> (claiming <paramref name="claimed"/>, the image's
    /// digest unless a test lies): its manifest, config and payload blob.
    /// </summary>
    public SignatureImage SignatureFor(string reference, Digest digest, Digest? claimed = null)
    {
        var payload = Payload(reference, claimed ?? digest);
        return Build(payload, Sign(payload));
    }

    /// <summary>A signature image with the given payload and base64 signature.</summary>
    public static SignatureImage Build(byte[] payload, string signature)
    {
        var payloadDigest = Digest.Compute(payload);
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{{\"created\":\"0001-01-01T00:00:00Z\"}}],\"os\":\"\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{payloadDigest}\"]}},\"config\":{{}}}}");
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = "application/vnd.oci.image.config.v1+json", size = config.Length, digest = Digest.Compute(config).ToString() },
            layers = new[]
            {
                new
                {
                    mediaType = PayloadType,
                    size = payload.Length,
                    digest = payloadDigest.ToString(),
                    annotations = new Dictionary<string, string> { ["dev.cosignproject.cosign/signature"] = signature },
                },
            },
        });
        return new SignatureImage(manifest, config, payload);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>A cosign signature image: the manifest pushed under <c>sha256-&lt;hex&gt;.sig</c>, and its two blobs.</summary>
internal sealed record SignatureImage(byte[] Manifest, byte[] Config, byte[] Payload)
{
    public Digest Digest => Digest.Compute(Manifest);
}
