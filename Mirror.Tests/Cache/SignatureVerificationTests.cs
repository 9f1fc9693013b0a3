using System.Security.Cryptography;
using System.Text;
using Mirror.Cache.Policy;
using Mirror.Cache.Protocol;
using Mirror.Tests.EndToEnd;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// cosign's key-based signatures as the policy reads them (sigstore/cosign specs/SIGNATURE_SPEC.md): the
/// signature layers of a signature manifest, the simple-signing payload, ECDSA and RSA keys in PEM, and the
/// decision. The test signer is checked against the recipe cosign documents (EXAMPLES.md, "Sign With
/// OpenSSL, Verify With Cosign"): <c>openssl dgst -sha256 -sign</c>, base64.
/// </summary>
[TestFixture]
internal sealed class SignatureVerificationTests
{
    private static readonly Digest Image = Digest.Compute("an image manifest"u8);

    [Test]
    public void TrustedKey_EcdsaP256Signature_VerifiesAndAnotherKeysDoesNot()
    {
        using var signer = CosignSigner.Ecdsa();
        using var other = CosignSigner.Ecdsa();
        var payload = CosignSigner.Payload("registry.example/app", Image);
        using var key = Key(signer);

        Assert.Multiple(() =>
        {
            Assert.That(key.Verifies(payload, Convert.FromBase64String(signer.Sign(payload))), Is.True);
            Assert.That(key.Verifies(payload, Convert.FromBase64String(other.Sign(payload))), Is.False);
            Assert.That(key.Verifies([.. payload, (byte)' '], Convert.FromBase64String(signer.Sign(payload))), Is.False, "a changed payload");
            Assert.That(key.Verifies(payload, [1, 2, 3]), Is.False, "a malformed signature verifies nothing");
        });
    }

    [Test]
    public void TrustedKey_P384AndRsa_Verify()
    {
        using var p384 = CosignSigner.Ecdsa(ECCurve.NamedCurves.nistP384);
        using var rsa = CosignSigner.Rsa();
        var payload = CosignSigner.Payload("registry.example/app", Image);
        using var p384Key = Key(p384);
        using var rsaKey = Key(rsa);

        Assert.Multiple(() =>
        {
            Assert.That(p384Key.Verifies(payload, Convert.FromBase64String(p384.Sign(payload))), Is.True);
            Assert.That(rsaKey.Verifies(payload, Convert.FromBase64String(rsa.Sign(payload))), Is.True);
            Assert.That(rsaKey.Verifies(payload, Convert.FromBase64String(p384.Sign(payload))), Is.False);
        });
    }

    [Test]
    public async Task TrustedKey_SignatureMadeByOpenssl_AsCosignDocumentsIt_Verifies()
    {
        using var directory = new TestDirectory();
        using var signer = CosignSigner.Ecdsa();
        var payload = CosignSigner.Payload("registry.example/app", Image);
        await File.WriteAllTextAsync(directory.Combine("key.pem"), signer.PrivateKeyPem);
        await File.WriteAllBytesAsync(directory.Combine("payload.json"), payload);

        var signed = await Command.RunAsync("openssl", ["dgst", "-sha256", "-sign", directory.Combine("key.pem"), "-out", directory.Combine("payload.sig"), directory.Combine("payload.json")]);
        Assert.That(signed.Succeeded, Is.True, signed.ToString());
        using var key = Key(signer);
        var signature = await File.ReadAllBytesAsync(directory.Combine("payload.sig"));

        Assert.That(key.Verifies(payload, signature), Is.True);
    }

    [TestCase("private", "is a private key")]
    [TestCase("p521", "P-256 and P-384 are accepted")]
    [TestCase("rsa1024", "2048 bits or more")]
    [TestCase("text", "holds no PEM public key")]
    public void TrustedKey_FromPem_KeyItDoesNotVerifyWith_SaysWhy(string kind, string problem)
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var rsa1024 = RSA.Create(1024);
        var pem = kind switch
        {
            "private" => p256.ExportPkcs8PrivateKeyPem(),
            "p521" => p521.ExportSubjectPublicKeyInfoPem(),
            "rsa1024" => rsa1024.ExportSubjectPublicKeyInfoPem(),
            _ => "not a key",
        };

        var (key, why) = TrustedKey.FromPem("cosign.pub", pem);

        Assert.Multiple(() =>
        {
            Assert.That(key, Is.Null);
            Assert.That(why, Does.Contain(problem));
        });
    }

    [Test]
    public void CosignSignature_ReadAll_ReadsThePayloadLayerAndItsSignature()
    {
        using var signer = CosignSigner.Ecdsa();
        var image = signer.SignatureFor("registry.example/app", Image);

        var signatures = CosignSignature.ReadAll(image.Manifest);

        Assert.That(signatures, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(signatures[0].Payload, Is.EqualTo(Digest.Compute(image.Payload)));
            Assert.That(signatures[0].Size, Is.EqualTo(image.Payload.Length));
            using var key = Key(signer);
            Assert.That(key.Verifies(image.Payload, signatures[0].Signature), Is.True);
        });
    }

    [Test]
    public void CosignSignature_ReadAll_LayersOfOtherTypesOrWithoutSignature_AreNone()
    {
        var manifest = Manifests.Image(MediaTypes.OciManifest, Digest.Compute("c"u8), Digest.Compute("l"u8));

        Assert.That(CosignSignature.ReadAll(manifest), Is.Empty);
    }

    [Test]
    public void SimpleSigningPayload_TryRead_ReadsClaims_KeysInAnyCase()
    {
        // cosign's own spec writes "Docker-manifest-digest"; Go's encoding/json reads keys without regard to case.
        var spec = Encoding.UTF8.GetBytes($"{{\"critical\":{{\"identity\":{{\"docker-reference\":\"testing/manifest\"}},\"image\":{{\"Docker-manifest-digest\":\"{Image}\"}},\"type\":\"cosign container image signature\"}},\"optional\":{{\"creator\":\"atomic\"}}}}");

        var claims = SimpleSigningPayload.TryRead(spec);

        Assert.Multiple(() =>
        {
            Assert.That(claims?.IsCosign, Is.True);
            Assert.That(claims?.ManifestDigest, Is.EqualTo(Image));
            Assert.That(SimpleSigningPayload.TryRead("not json"u8), Is.Null);
        });
    }

    [Test]
    public void Decide_SignedByTheKeyForThisDigest_Allowed()
    {
        using var signer = CosignSigner.Ecdsa();
        using var rule = Rule(signer);

        var verdict = SignatureDecision.Decide("library/app", Image, Read(signer.SignatureFor("x", Image)), rule.Rule);

        Assert.That(verdict.Result, Is.EqualTo(PolicyResult.Allowed));
    }

    [Test]
    public void Decide_SignedByAnotherKey_UntrustedKey()
    {
        using var signer = CosignSigner.Ecdsa();
        using var trusted = CosignSigner.Ecdsa();
        using var rule = Rule(trusted);

        var verdict = SignatureDecision.Decide("library/app", Image, Read(signer.SignatureFor("x", Image)), rule.Rule);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Result, Is.EqualTo(PolicyResult.UntrustedKey));
            Assert.That(verdict.Reason, Does.Contain("library/app@" + Image).And.Contain("none by a trusted key"));
        });
    }

    [Test]
    public void Decide_TrustedSignatureNamingAnotherDigest_DigestMismatch()
    {
        using var signer = CosignSigner.Ecdsa();
        using var rule = Rule(signer);
        var other = Digest.Compute("another image"u8);

        var verdict = SignatureDecision.Decide("library/app", Image, Read(signer.SignatureFor("x", Image, claimed: other)), rule.Rule);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Result, Is.EqualTo(PolicyResult.DigestMismatch));
            Assert.That(verdict.Reason, Does.Contain(other.ToString()));
        });
    }

    [Test]
    public void Decide_TrustedSignatureOfAnotherPayloadType_DigestMismatch()
    {
        using var signer = CosignSigner.Ecdsa();
        using var rule = Rule(signer);
        var payload = CosignSigner.Payload("x", Image, type: "atomic container signature");
        var image = CosignSigner.Build(payload, signer.Sign(payload));

        var verdict = SignatureDecision.Decide("library/app", Image, Read(image), rule.Rule);

        Assert.That(verdict.Result, Is.EqualTo(PolicyResult.DigestMismatch));
    }

    private static (CosignSignature, byte[]?)[] Read(SignatureImage image) => [(CosignSignature.ReadAll(image.Manifest).Single(), image.Payload)];

    private static TrustedKey Key(CosignSigner signer) => TrustedKey.FromPem("cosign.pub", signer.PublicKeyPem).Key!;

    private static KeyedRule Rule(CosignSigner signer) => new(Key(signer));

    /// <summary>A rule on every repository with one key, disposing the key with it.</summary>
    private sealed class KeyedRule(TrustedKey key) : IDisposable
    {
        public PolicyRule Rule { get; } = new("mirror.policy.0", [new RepositoryPattern("*")], [key], allow: false);

        public void Dispose() => key.Dispose();
    }
}
