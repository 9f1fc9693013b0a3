using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// <c>mirror.policy</c> at the pull: under a <c>sigstore</c> rule a manifest is served only when a cosign
/// signature in its repository verifies against a trusted key and names its digest (an index's platform
/// manifests through it), and a blob only when a served manifest names it; refusals are 403 <c>DENIED</c>
/// naming repository, digest and why; verdicts are per repository and hold while the upstream is down.
/// </summary>
[TestFixture]
internal sealed class PolicyTests : FakeUpstreamTests
{
    private CosignSigner _trusted = null!;
    private CosignSigner _other = null!;

    [SetUp]
    public void MakeKeys()
    {
        _trusted = CosignSigner.Ecdsa();
        _other = CosignSigner.Ecdsa();
    }

    [TearDown]
    public void DisposeKeys()
    {
        _trusted.Dispose();
        _other.Dispose();
    }

    [Test]
    public async Task Policy_SignedImage_ServedWithItsBlobs_AndItsSignatureTag()
    {
        var (image, config, layer) = AddImage("library/signed", "1");
        var signature = Sign("library/signed", image, _trusted);
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/library/signed/manifests/latest"));
        using var manifest = await client.GetAsync($"/v2/library/signed/manifests/{image}");
        using var configBlob = await client.GetAsync($"/v2/library/signed/blobs/{config}");
        using var layerBlob = await client.GetAsync($"/v2/library/signed/blobs/{layer}");
        using var sig = await client.GetAsync($"/v2/library/signed/manifests/{SignatureTags.Of(image, SignatureTags.Signature)}");
        using var payload = await client.GetAsync($"/v2/library/signed/blobs/{Digest.Compute(signature.Payload)}");

        Assert.Multiple(async () =>
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(configBlob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(layerBlob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await sig.Content.ReadAsByteArrayAsync(), Is.EqualTo(signature.Manifest));
            Assert.That(await payload.Content.ReadAsByteArrayAsync(), Is.EqualTo(signature.Payload));
        });
    }

    [Test]
    public async Task Policy_Unsigned_403DeniedNamingRepositoryDigestAndWhy_BlobsNotAskedUpstream()
    {
        var (image, config, _) = AddImage("library/unsigned", "2");
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();
        using var decisions = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_policy_decisions");

        using var manifest = await client.GetAsync("/v2/library/unsigned/manifests/latest");
        var body = await manifest.Content.ReadAsStringAsync();
        using var blob = await client.GetAsync($"/v2/library/unsigned/blobs/{config}");
        var status = await client.GetStringAsync("/status.json");
        var page = await client.GetStringAsync("/");

        Assert.Multiple(async () =>
        {
            Assert.That(status, Does.Contain("\"refusals\"").And.Contain("library/unsigned@" + image), "the status page shows recent refusals");
            Assert.That(page, Does.Contain("Refused by mirror.policy").And.Contain("library/unsigned@" + image));
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(OciErrors.CodeOf(body), Is.EqualTo("DENIED"));
            Assert.That(body, Does.Contain("library/unsigned@" + image).And.Contain("no signature"));
            Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await OciErrors.CodeOf(blob), Is.EqualTo("DENIED"));
            Assert.That(Upstream.Count("HEAD", "/v2/library/unsigned/blobs/") + Upstream.Count("GET", "/v2/library/unsigned/blobs/"), Is.Zero);
            Assert.That(decisions.GetMeasurementSnapshot().Single().Tags["result"], Is.EqualTo("unsigned"));
            Assert.That(mirror.Logs.Lines, Has.Some.Contains("mirror.policy: library/unsigned@" + image));
        });
    }

    [TestCase("otherkey", "none by a trusted key", "untrusted-key")]
    [TestCase("mismatch", "names sha256:", "digest-mismatch")]
    public async Task Policy_BadSignature_403Denied(string kind, string why, string result)
    {
        var repository = $"library/{kind}";
        var (image, _, _) = AddImage(repository, kind);
        Sign(repository, image, kind == "otherkey" ? _other : _trusted, claimed: kind == "mismatch" ? Digest.Compute("another"u8) : null);
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();
        using var decisions = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_policy_decisions");

        using var manifest = await client.GetAsync($"/v2/{repository}/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await manifest.Content.ReadAsStringAsync(), Does.Contain(why).And.Contain("DENIED"));
            Assert.That(decisions.GetMeasurementSnapshot().Single().Tags["result"], Is.EqualTo(result));
        });
    }

    [Test]
    public async Task Policy_SameDigestSignedInOneRepository_RefusedInAnother()
    {
        var (image, _, _) = AddImage("library/signed", "3");
        Sign("library/signed", image, _trusted);
        AddImage("library/copy", "3");
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();

        using var signed = await client.GetAsync($"/v2/library/signed/manifests/{image}");
        using var copy = await client.GetAsync($"/v2/library/copy/manifests/{image}");

        Assert.Multiple(() =>
        {
            Assert.That(signed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(copy.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task Policy_UpstreamDown_SignedStillServed_UnsignedStillRefused_NoRuleRefused_AllowServed()
    {
        var (signedImage, _, _) = AddImage("library/signed", "4");
        Sign("library/signed", signedImage, _trusted);
        AddImage("library/unsigned", "5");
        AddImage("other/app", "6");
        AddImage("elsewhere/app", "7");
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();
        (await client.GetAsync("/v2/library/signed/manifests/latest")).Dispose();
        (await client.GetAsync("/v2/library/unsigned/manifests/latest")).Dispose();
        using var allowed = await client.GetAsync("/v2/other/app/manifests/latest");
        using var noRule = await client.GetAsync("/v2/elsewhere/app/manifests/latest");

        Upstream.Server.Stop();
        using var signed = await client.GetAsync("/v2/library/signed/manifests/latest");
        using var unsigned = await client.GetAsync("/v2/library/unsigned/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(signed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(signed.Headers.GetValues("X-Cache").Single(), Is.EqualTo("STALE"));
            Assert.That(unsigned.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(noRule.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await noRule.Content.ReadAsStringAsync(), Does.Contain("no rule of mirror.policy"));
        });
    }

    [Test]
    public async Task Policy_SignedIndex_ItsPlatformManifestServedThroughIt()
    {
        var (platform, _, _) = AddImage("library/multi", "8", tag: null);
        var index = Upstream.AddManifest("library/multi", "latest", Manifests.List(MediaTypes.OciIndex, (platform, MediaTypes.OciManifest, "amd64")), MediaTypes.OciIndex);
        Sign("library/multi", index, _trusted);
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();

        using var before = await client.GetAsync($"/v2/library/multi/manifests/{platform}");
        (await client.GetAsync("/v2/library/multi/manifests/latest")).EnsureSuccessStatusCode();
        using var after = await client.GetAsync($"/v2/library/multi/manifests/{platform}");

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "unsigned itself");
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK), "through its signed index");
        });
    }

    [Test]
    public async Task Policy_ImagePushedUnderASignatureTag_IsStillAnImageUnderThePolicy()
    {
        var (image, _, _) = AddImage("library/sneaky", "9");
        var disguised = SignatureTags.Of(Digest.Compute("anything"u8), SignatureTags.Signature);
        Upstream.AddManifest("library/sneaky", disguised, Manifests.Image(MediaTypes.OciManifest, Digest.Compute("config 9"u8), Digest.Compute("layer 9"u8)), MediaTypes.OciManifest);
        using var mirror = await MirrorAsync();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/library/sneaky/manifests/{disguised}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{image} is runnable whatever its tag");
    }

    private async Task<MirrorFactory> MirrorAsync()
    {
        var key = TempDir.Combine("cosign.pub");
        await File.WriteAllTextAsync(key, _trusted.PublicKeyPem);
        return new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["mirror:policy:0:repositories:0"] = "library/*",
            ["mirror:policy:0:sigstore:keys:0"] = key,
            ["mirror:policy:1:repositories:0"] = "other/*",
            ["mirror:policy:1:allow"] = "true",
        });
    }

    /// <summary>An OCI image in <paramref name="repository"/>: its manifest (tagged <paramref name="tag"/>), config and one layer.</summary>
    private (Digest Image, Digest Config, Digest Layer) AddImage(string repository, string seed, string? tag = "latest")
    {
        var config = Upstream.AddBlob(repository, Manifests.Bytes("config " + seed));
        var layer = Upstream.AddBlob(repository, Manifests.Bytes("layer " + seed));
        var image = Upstream.AddManifest(repository, tag, Manifests.Image(MediaTypes.OciManifest, config, layer), MediaTypes.OciManifest);
        return (image, config, layer);
    }

    /// <summary>Pushes <paramref name="signer"/>'s cosign signature of <paramref name="image"/> (claiming <paramref name="claimed"/>) beside it.</summary>
    private SignatureImage Sign(string repository, Digest image, CosignSigner signer, Digest? claimed = null)
    {
        var signature = signer.SignatureFor($"127.0.0.1/{repository}", image, claimed);
        Upstream.AddBlob(repository, signature.Config);
        Upstream.AddBlob(repository, signature.Payload);
        Upstream.AddManifest(repository, SignatureTags.Of(image, SignatureTags.Signature), signature.Manifest, MediaTypes.OciManifest);
        return signature;
    }
}
