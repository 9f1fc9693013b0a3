using System.Security.Cryptography;

namespace Mirror.Cache.Policy;

/// <summary>
/// A public key of <c>sigstore.keys</c> (a PEM file as <c>cosign generate-key-pair</c> writes <c>cosign.pub</c>):
/// ECDSA on P-256 or P-384, whose signatures are ASN.1 DER over SHA-256 of the payload, or RSA (2048 bits or
/// more), PKCS#1 v1.5 with SHA-256 (sigstore/cosign specs/SIGNATURE_SPEC.md, "Hashing Algorithms": the
/// registry's, SHA-256).
/// </summary>
public sealed class TrustedKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private TrustedKey(string name, AsymmetricAlgorithm key)
    {
        Name = name;
        _key = key;
    }

    /// <summary>Where the key was read from, for messages.</summary>
    public string Name { get; }

    /// <summary>The key in a PEM text; <c>null</c> and why when it is not one the mirror verifies with.</summary>
    public static (TrustedKey? Key, string? Problem) FromPem(string name, string pem)
    {
        var label = pem.Contains("-----BEGIN RSA PUBLIC KEY-----", StringComparison.Ordinal) ? "RSA" : null;
        if (label is null && !pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            return (null, pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal)
                ? "is a private key; give the public key (cosign.pub)"
                : "holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            var curve = ecdsa.ExportParameters(false).Curve.Oid.FriendlyName;
            if (curve is not ("nistP256" or "ECDSA_P256" or "nistP384" or "ECDSA_P384"))
            {
                ecdsa.Dispose();
                return (null, $"is an ECDSA key on {curve ?? "an unnamed curve"}; P-256 and P-384 are accepted");
            }

            return (new TrustedKey(name, ecdsa), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            if (rsa.KeySize < 2048)
            {
                rsa.Dispose();
                return (null, $"is a {rsa.KeySize}-bit RSA key; 2048 bits or more are accepted");
            }

            return (new TrustedKey(name, rsa), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            return (null, "is neither an ECDSA nor an RSA public key");
        }
    }

    /// <summary>Whether <paramref name="signature"/> (raw bytes) is this key's signature of <paramref name="payload"/>.</summary>
    public bool Verifies(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> signature)
    {
        try
        {
            return _key switch
            {
                ECDsa ecdsa => ecdsa.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                RSA rsa => rsa.VerifyData(payload, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            // A malformed signature is a signature that does not verify.
            return false;
        }
    }

    public void Dispose() => _key.Dispose();

    public override string ToString() => Name;
}
