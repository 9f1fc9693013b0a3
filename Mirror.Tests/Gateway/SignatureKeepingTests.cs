using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>cosign's signature tags pull through as any tag, and stay as long as the image they sign is pulled.</summary>
[TestFixture]
internal sealed class SignatureKeepingTests : FakeUpstreamTests
{
    private const string Repository = "library/signed";

    [Test]
    public async Task Signature_ImagePulledAgain_IsKeptWithIt()
    {
        var (imageDigest, signature) = AddSignedImage("1");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["proxy:ttl"] = "1h" }, services => services.AddSingleton<TimeProvider>(time));
        using var client = mirror.CreateClient();
        await PullSignatureAsync(mirror, client, imageDigest, signature);

        // The image alone is pulled again; an hour after the signature was, it is still within its image's use.
        time.Advance(TimeSpan.FromMinutes(50));
        (await client.GetAsync($"/v2/{Repository}/manifests/latest")).EnsureSuccessStatusCode();
        time.Advance(TimeSpan.FromMinutes(20));
        mirror.Services.GetRequiredService<StoreEvictor>().Sweep();

        var layout = mirror.Services.GetRequiredService<StoreLayout>();
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(layout.PathOf(ContentKind.Manifest, imageDigest)), Is.True);
            Assert.That(File.Exists(layout.PathOf(ContentKind.Manifest, signature.Digest)), Is.True, "the signature manifest is kept with its image");
            Assert.That(File.Exists(layout.PathOf(ContentKind.Blob, Digest.Compute(signature.Payload))), Is.True, "and its payload");
        });
    }

    [Test]
    public async Task Signature_ImageNotPulled_ExpiresWithIt()
    {
        var (imageDigest, signature) = AddSignedImage("2");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["proxy:ttl"] = "1h" }, services => services.AddSingleton<TimeProvider>(time));
        using var client = mirror.CreateClient();
        await PullSignatureAsync(mirror, client, imageDigest, signature);

        time.Advance(TimeSpan.FromMinutes(70));
        mirror.Services.GetRequiredService<StoreEvictor>().Sweep();

        var layout = mirror.Services.GetRequiredService<StoreLayout>();
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(layout.PathOf(ContentKind.Manifest, imageDigest)), Is.False);
            Assert.That(File.Exists(layout.PathOf(ContentKind.Manifest, signature.Digest)), Is.False);
        });
    }

    private (Digest Image, SignatureImage Signature) AddSignedImage(string seed)
    {
        var config = Upstream.AddBlob(Repository, Manifests.Bytes("config " + seed));
        var layer = Upstream.AddBlob(Repository, Manifests.Bytes("layer " + seed));
        var imageDigest = Upstream.AddManifest(Repository, "latest", Manifests.Image(MediaTypes.OciManifest, config, layer), MediaTypes.OciManifest);
        using var signer = CosignSigner.Ecdsa();
        var signature = signer.SignatureFor($"127.0.0.1/{Repository}", imageDigest);
        Upstream.AddBlob(Repository, signature.Config);
        Upstream.AddBlob(Repository, signature.Payload);
        Upstream.AddManifest(Repository, SignatureTags.Of(imageDigest, SignatureTags.Signature), signature.Manifest, MediaTypes.OciManifest);
        return (imageDigest, signature);
    }

    /// <summary>Pulls the image and, as cosign verify does, its signature tag and payload through the mirror.</summary>
    private static async Task PullSignatureAsync(MirrorFactory mirror, HttpClient client, Digest imageDigest, SignatureImage signature)
    {
        (await client.GetAsync($"/v2/{Repository}/manifests/latest")).EnsureSuccessStatusCode();
        using var sig = await client.GetAsync($"/v2/{Repository}/manifests/{SignatureTags.Of(imageDigest, SignatureTags.Signature)}");
        Assert.That(await sig.Content.ReadAsByteArrayAsync(), Is.EqualTo(signature.Manifest));
        Assert.That(await client.GetByteArrayAsync($"/v2/{Repository}/blobs/{Digest.Compute(signature.Payload)}"), Is.EqualTo(signature.Payload));
        await mirror.ReadCommittedBlobAsync(Digest.Compute(signature.Payload));
    }
}
