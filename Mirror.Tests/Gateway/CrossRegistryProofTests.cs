using System.Net;
using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// One copy per digest for every registry, but a registry's word about a digest the store holds from
/// another is no proof: a second configured registry that lies (a manifest HEAD naming the digest, a blob
/// HEAD answering 200, a manifest of its own naming the digest) gets a fetch from itself, checked against
/// the digest, and nothing from the store. Docker.io (the <c>proxy</c> upstream, <see cref="FakeUpstreamTests.Upstream"/>)
/// holds a private image the mirror pulled with its credentials; ghcr.io (<see cref="_liar"/>) claims it.
/// </summary>
[TestFixture]
internal sealed class CrossRegistryProofTests : FakeUpstreamTests
{
    private const string Private = "private/app";
    private const string Claimed = "org/app";
    private const string Ghcr = "ghcr.io";

    private readonly byte[] _layerContent = RandomNumberGenerator.GetBytes(4096);
    private FakeRegistry _liar = null!;

    [SetUp]
    public void StartLiar() => _liar = new FakeRegistry();

    [TearDown]
    public void StopLiar() => _liar.Dispose();

    [TestCase(true)]
    [TestCase(false)]
    public async Task Blob_ClaimedByAHeadOfAnotherRegistry_IsFetchedFromItAndTheStoredCopyIsNotServed(bool sendsOtherBytes)
    {
        var (_, _, layer) = PushPrivateImage();
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        await PullPrivateImageAsync(mirror, client, layer);
        var lie = sendsOtherBytes ? RandomNumberGenerator.GetBytes(_layerContent.Length) : null;
        _liar.Claim($"/v2/{Claimed}/blobs/{layer}", layer, _layerContent.Length, MediaTypes.OctetStream, lie);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{Ghcr}/{Claimed}/blobs/{layer}"));
        var served = await TryGetBytesAsync(client, $"/v2/{Ghcr}/{Claimed}/blobs/{layer}");

        Assert.Multiple(() =>
        {
            Assert.That(head.Headers.TryGetValues("X-Cache", out var cache) ? cache.Single() : null, Is.Not.EqualTo("HIT"), "a HEAD is answered from the registry's own word, not the store");
            Assert.That(IsPrivateLayer(served), Is.False, "the stored copy is not served on ghcr.io's word");
            Assert.That(_liar.Count("GET", $"/v2/{Claimed}/blobs/{layer}"), Is.EqualTo(1), "fetched from the registry that claims it, to check");
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Manifest_ATagOfAnotherRegistryNamesAStoredDigest_IsFetchedFromItAndTheStoredCopyIsNotServed(bool sendsOtherBytes)
    {
        var (manifest, _, layer) = PushPrivateImage();
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        await PullPrivateImageAsync(mirror, client, layer);
        var length = (await client.GetByteArrayAsync($"/v2/{Private}/manifests/{manifest}")).Length;
        _liar.Claim($"/v2/{Claimed}/manifests/latest", manifest, length, MediaTypes.DockerManifest, null);
        _liar.Claim($"/v2/{Claimed}/manifests/{manifest}", manifest, length, MediaTypes.DockerManifest, sendsOtherBytes ? Manifests.Bytes("{\"schemaVersion\":2}") : null);

        using var response = await client.GetAsync($"/v2/{Ghcr}/{Claimed}/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(sendsOtherBytes ? HttpStatusCode.BadGateway : HttpStatusCode.NotFound));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo(sendsOtherBytes ? "MANIFEST_INVALID" : "MANIFEST_UNKNOWN"));
            Assert.That(_liar.Count("GET", $"/v2/{Claimed}/manifests/{manifest}"), Is.EqualTo(1), "fetched by digest from the registry that named it, to check");
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Manifest_ByDigestConfirmedByAHeadOfAnotherRegistry_IsFetchedFromItAndTheStoredCopyIsNotServed(bool sendsOtherBytes)
    {
        var (manifest, _, layer) = PushPrivateImage();
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        await PullPrivateImageAsync(mirror, client, layer);
        _liar.Claim($"/v2/{Claimed}/manifests/{manifest}", manifest, 100, MediaTypes.DockerManifest, sendsOtherBytes ? Manifests.Bytes("{\"schemaVersion\":2}") : null);

        using var response = await client.GetAsync($"/v2/{Ghcr}/{Claimed}/manifests/{manifest}");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(sendsOtherBytes ? HttpStatusCode.BadGateway : HttpStatusCode.NotFound));
            Assert.That(_liar.Count("GET", $"/v2/{Claimed}/manifests/{manifest}"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Blob_NamedByAManifestOfAnotherRegistry_IsFetchedFromItAndTheStoredCopyIsNotServed()
    {
        var (_, _, layer) = PushPrivateImage();
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        await PullPrivateImageAsync(mirror, client, layer);

        // ghcr.io's own manifest (its bytes verify) names the private layer, which ghcr.io cannot serve.
        var config = _liar.AddBlob(Claimed, RandomNumberGenerator.GetBytes(64));
        _liar.AddManifest(Claimed, "1.0", Manifests.Image(config, layer), MediaTypes.DockerManifest);
        using var own = await client.GetAsync($"/v2/{Ghcr}/{Claimed}/manifests/1.0");
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var response = await client.GetAsync($"/v2/{Ghcr}/{Claimed}/blobs/{layer}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("BLOB_UNKNOWN"));
            Assert.That(_liar.Count("GET", $"/v2/{Claimed}/blobs/{layer}"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Blob_AnotherRegistryServedBytesThatDoNotHash_IsNeverProvenThere()
    {
        var (_, _, layer) = PushPrivateImage();
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        await PullPrivateImageAsync(mirror, client, layer);
        _liar.Claim($"/v2/{Claimed}/blobs/{layer}", layer, _layerContent.Length, MediaTypes.OctetStream, RandomNumberGenerator.GetBytes(_layerContent.Length));

        await TryGetBytesAsync(client, $"/v2/{Ghcr}/{Claimed}/blobs/{layer}");
        var again = await TryGetBytesAsync(client, $"/v2/{Ghcr}/{Claimed}/blobs/{layer}");
        using var owner = await client.GetAsync($"/v2/{Private}/blobs/{layer}");

        Assert.Multiple(async () =>
        {
            Assert.That(IsPrivateLayer(again), Is.False);
            Assert.That(_liar.Count("GET", $"/v2/{Claimed}/blobs/{layer}"), Is.EqualTo(2), "asked again: a failed check proves nothing");
            Assert.That(await owner.Content.ReadAsByteArrayAsync(), Is.EqualTo(_layerContent), "the stored copy stays, and stays its own registry's");
            Assert.That(owner.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
        });
    }

    [Test]
    public async Task Manifest_SharedByTwoRegistries_IsFetchedOnceFromEachThenAHit()
    {
        var (_, config, layer) = PushPrivateImage();
        var bytes = Manifests.Image(MediaTypes.OciManifest, config, layer);
        var shared = Upstream.AddManifest(Private, "shared", bytes, MediaTypes.OciManifest);
        _liar.AddManifest(Claimed, "shared", bytes, MediaTypes.OciManifest);
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Private}/manifests/shared")).Dispose();

        var first = await client.GetAsync($"/v2/{Ghcr}/{Claimed}/manifests/shared");
        var second = await client.GetAsync($"/v2/{Ghcr}/{Claimed}/manifests/shared");

        Assert.Multiple(async () =>
        {
            Assert.That(await first.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
            Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
            Assert.That(second.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(_liar.Count("GET", $"/v2/{Claimed}/manifests/{shared}"), Is.EqualTo(1), "fetched once from ghcr.io, then proven there");
        });
    }

    [Test]
    public async Task Proofs_SurviveARestart()
    {
        var layerDigest = Upstream.AddBlob(Private, _layerContent);
        _liar.AddBlob(Claimed, _layerContent);
        var store = TempDir.Combine("store");
        using (var first = Mirror(store))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            Assert.That(await client.GetByteArrayAsync($"/v2/{Private}/blobs/{layerDigest}"), Is.EqualTo(_layerContent));
            await first.ReadCommittedBlobAsync(layerDigest);
            Assert.That(await client.GetByteArrayAsync($"/v2/{Ghcr}/{Claimed}/blobs/{layerDigest}"), Is.EqualTo(_layerContent));
        }

        Upstream.Server.ResetLogEntries();
        _liar.Server.ResetLogEntries();
        using var second = Mirror(store);
        using var again = new HttpClient { BaseAddress = second.Address };
        using var hub = await again.GetAsync($"/v2/{Private}/blobs/{layerDigest}");
        using var ghcr = await again.GetAsync($"/v2/{Ghcr}/{Claimed}/blobs/{layerDigest}");

        Assert.Multiple(() =>
        {
            Assert.That(hub.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(ghcr.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(Upstream.Log.Concat(_liar.Log), Is.Empty);
        });
    }

    [Test]
    public async Task StoreFromBeforeProofs_WithOneUpstream_IsServedAsBefore()
    {
        var (manifest, _, layer) = PushPrivateImage();
        var store = TempDir.Combine("store");
        await PullAndForgetProofsAsync(new MirrorFactory(Upstream.Url, store), store, layer);

        using var second = new MirrorFactory(Upstream.Url, store);
        using var client = new HttpClient { BaseAddress = second.Address };
        using var blob = await client.GetAsync($"/v2/{Private}/blobs/{layer}");
        using var byDigest = await client.GetAsync($"/v2/{Private}/manifests/{manifest}");

        Assert.Multiple(() =>
        {
            Assert.That(blob.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(byDigest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task StoreFromBeforeProofs_ServedWithOneUpstream_StaysItsWhenAnotherRegistryIsAdded()
    {
        var (_, _, layer) = PushPrivateImage();
        var store = TempDir.Combine("store");
        await PullAndForgetProofsAsync(new MirrorFactory(Upstream.Url, store), store, layer);
        using (var alone = new MirrorFactory(Upstream.Url, store))
        {
            using var client = new HttpClient { BaseAddress = alone.Address };
            (await client.GetAsync($"/v2/{Private}/blobs/{layer}")).Dispose();
        }

        using var several = Mirror(store);
        using var again = new HttpClient { BaseAddress = several.Address };
        using var blob = await again.GetAsync($"/v2/{Private}/blobs/{layer}");

        Assert.Multiple(() =>
        {
            Assert.That(blob.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task StoreFromBeforeProofs_WithSeveralUpstreams_IsProvenOncePerRegistry()
    {
        var (_, _, layer) = PushPrivateImage();
        var store = TempDir.Combine("store");
        await PullAndForgetProofsAsync(Mirror(store), store, layer);

        using var second = Mirror(store);
        using var client = new HttpClient { BaseAddress = second.Address };
        using var proving = await client.GetAsync($"/v2/{Private}/blobs/{layer}");
        using var proven = await client.GetAsync($"/v2/{Private}/blobs/{layer}");

        Assert.Multiple(async () =>
        {
            Assert.That(await proving.Content.ReadAsByteArrayAsync(), Is.EqualTo(_layerContent));
            Assert.That(proven.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(Upstream.Count("GET", $"/v2/{Private}/blobs/{layer}"), Is.EqualTo(1), "its origin unknown, the content is fetched once more from the registry asked");
        });
    }

    [Test]
    public async Task StoreFromBeforeProofs_WithOneUpstreamButAnotherRegistrysRepositoriesKnown_IsNotTakenAsTheFirstUpstreams()
    {
        // Pulled through ghcr.io by a mirror from before proofs; then the mirror runs with docker.io alone.
        _liar.AddBlob(Claimed, _layerContent);
        var layer = Digest.Compute(_layerContent);
        var store = TempDir.Combine("store");
        using (var earlier = Mirror(store))
        {
            using var client = new HttpClient { BaseAddress = earlier.Address };
            Assert.That(await client.GetByteArrayAsync($"/v2/{Ghcr}/{Claimed}/blobs/{layer}"), Is.EqualTo(_layerContent));
            await earlier.ReadCommittedBlobAsync(layer);
        }

        File.Delete(Path.Combine(store, "metadata", "proofs.txt"));
        Upstream.Claim($"/v2/{Claimed}/blobs/{layer}", layer, _layerContent.Length, MediaTypes.OctetStream, null);
        using var alone = new MirrorFactory(Upstream.Url, store);
        using var hub = new HttpClient { BaseAddress = alone.Address };

        using var response = await hub.GetAsync($"/v2/{Claimed}/blobs/{layer}");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Upstream.Count("GET", $"/v2/{Claimed}/blobs/{layer}"), Is.EqualTo(1));
        });
    }

    private async Task PullAndForgetProofsAsync(MirrorFactory mirror, string store, Digest layer)
    {
        using (mirror)
        {
            using var client = new HttpClient { BaseAddress = mirror.Address };
            await PullPrivateImageAsync(mirror, client, layer);
        }

        // A store from before proofs were kept has none.
        File.Delete(Path.Combine(store, "metadata", "proofs.txt"));
        Upstream.Server.ResetLogEntries();
    }

    private async Task PullPrivateImageAsync(MirrorFactory mirror, HttpClient client, Digest layer)
    {
        using var manifest = await client.GetAsync($"/v2/{Private}/manifests/latest");
        Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await client.GetByteArrayAsync($"/v2/{Private}/blobs/{layer}"), Is.EqualTo(_layerContent));
        await mirror.ReadCommittedBlobAsync(layer);
    }

    /// <summary>The body as far as it came: a response cut off (bytes that did not verify) gives what arrived, or nothing.</summary>
    private static async Task<byte[]?> TryGetBytesAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return null;
        }
    }

    private bool IsPrivateLayer(byte[]? bytes) => bytes is not null && bytes.AsSpan().SequenceEqual(_layerContent);

    private (Digest Manifest, Digest Config, Digest Layer) PushPrivateImage()
    {
        var config = Upstream.AddBlob(Private, RandomNumberGenerator.GetBytes(128));
        var layer = Upstream.AddBlob(Private, _layerContent);
        var manifest = Upstream.AddManifest(Private, "latest", Manifests.Image(config, layer), MediaTypes.DockerManifest);
        return (manifest, config, layer);
    }

    private MirrorFactory Mirror(string? store = null) =>
        new(Upstream.Url, store ?? TempDir.Combine("store"), new Dictionary<string, string?> { [$"mirror:upstreams:{Ghcr}:remoteurl"] = _liar.Url });
}
