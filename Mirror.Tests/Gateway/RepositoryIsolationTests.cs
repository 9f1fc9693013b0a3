using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The store keeps one copy per digest, but serves it under a repository's name only when that repository
/// is known to hold it: referenced by a manifest fetched under that name, or confirmed by the upstream.
/// </summary>
[TestFixture]
internal sealed class RepositoryIsolationTests : FakeUpstreamTests
{
    private const string Private = "private/app";
    private const string Public = "library/public";

    private readonly byte[] _layerContent = RandomNumberGenerator.GetBytes(4096);


    [Test]
    public async Task PrivateLayer_AfterAPullOfItsImage_IsNotServedUnderAnotherName()
    {
        var (manifest, config, layer) = PushPrivateImage();
        Upstream.AddManifest(Public, "latest", Manifests.Image(Upstream.AddBlob(Public, RandomNumberGenerator.GetBytes(64)), Upstream.AddBlob(Public, RandomNumberGenerator.GetBytes(64))), MediaTypes.DockerManifest);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        foreach (var path in new[] { $"/v2/{Private}/manifests/latest", $"/v2/{Private}/blobs/{config}", $"/v2/{Private}/blobs/{layer}" })
        {
            using var pulled = await client.GetAsync(path);
            Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        }

        Upstream.Server.ResetLogEntries();
        using var layerElsewhere = await client.GetAsync($"/v2/{Public}/blobs/{layer}");
        using var headElsewhere = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{Public}/blobs/{layer}"));
        using var manifestElsewhere = await client.GetAsync($"/v2/{Public}/manifests/{manifest}");
        using var layerAgain = await client.GetAsync($"/v2/{Private}/blobs/{layer}");

        Assert.Multiple(async () =>
        {
            Assert.That(layerElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await OciErrors.CodeOf(layerElsewhere), Is.EqualTo("BLOB_UNKNOWN"));
            Assert.That(headElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(manifestElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await OciErrors.CodeOf(manifestElsewhere), Is.EqualTo("MANIFEST_UNKNOWN"));
            Assert.That(layerAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK), "still served under its own name");
            Assert.That(Upstream.Count("GET", $"/v2/{Public}/blobs/"), Is.Zero, "the stored copy is not fetched again to find out");
            Assert.That(Upstream.Log.Where(e => e.RequestMessage.Path.StartsWith($"/v2/{Private}/", StringComparison.Ordinal)), Is.Empty, "its own name needs no upstream word");
        });
    }

    [Test]
    public async Task SharedLayer_ConfirmedByTheUpstreamUnderTheOtherName_IsAHitWithoutAGet()
    {
        var (_, _, layer) = PushPrivateImage();
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Private}/manifests/latest")).Dispose();
        (await client.GetAsync($"/v2/{Private}/blobs/{layer}")).Dispose();
        Upstream.AddBlob(Public, _layerContent);
        Upstream.Server.ResetLogEntries();

        using var shared = await client.GetAsync($"/v2/{Public}/blobs/{layer}");
        using var again = await client.GetAsync($"/v2/{Public}/blobs/{layer}");

        Assert.Multiple(async () =>
        {
            Assert.That(shared.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await shared.Content.ReadAsByteArrayAsync(), Is.EqualTo(_layerContent));
            Assert.That(shared.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(Upstream.Count("HEAD", $"/v2/{Public}/blobs/{layer}"), Is.EqualTo(1), "asked once, then remembered");
            Assert.That(Upstream.Count("GET", $"/v2/{Public}/blobs/"), Is.Zero);
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Links_SurviveARestart()
    {
        var (manifest, _, layer) = PushPrivateImage();
        var store = TempDir.Combine("store");
        using (var first = new MirrorFactory(Upstream.Url, store))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            (await client.GetAsync($"/v2/{Private}/manifests/latest")).Dispose();
            (await client.GetAsync($"/v2/{Private}/blobs/{layer}")).Dispose();
            await first.ReadCommittedBlobAsync(layer);
        }

        Upstream.Server.ResetLogEntries();
        using var second = new MirrorFactory(Upstream.Url, store);
        using var again = new HttpClient { BaseAddress = second.Address };
        using var blob = await again.GetAsync($"/v2/{Private}/blobs/{layer}");
        using var byDigest = await again.GetAsync($"/v2/{Private}/manifests/{manifest}");

        Assert.Multiple(() =>
        {
            Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(byDigest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task ForeignLayer_NamedByAnotherRepositorysManifest_IsNotTakenAsHeldThere()
    {
        var (_, _, layer) = PushPrivateImage();
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Private}/manifests/latest")).Dispose();
        (await client.GetAsync($"/v2/{Private}/blobs/{layer}")).Dispose();

        // A public manifest that names the private layer as foreign (with urls), which registries accept without holding it.
        var config = Upstream.AddBlob(Public, RandomNumberGenerator.GetBytes(64));
        var foreign = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.DockerManifest,
            config = new { mediaType = "application/vnd.docker.container.image.v1+json", size = 64, digest = config.ToString() },
            layers = new[] { new { mediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", size = 4096, digest = layer.ToString(), urls = new[] { "https://example.com/layer" } } },
        });
        Upstream.AddManifest(Public, "foreign", foreign, MediaTypes.DockerManifest);
        (await client.GetAsync($"/v2/{Public}/manifests/foreign")).Dispose();
        Upstream.Server.ResetLogEntries();

        using var response = await client.GetAsync($"/v2/{Public}/blobs/{layer}");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Upstream.Count("HEAD", $"/v2/{Public}/blobs/{layer}"), Is.EqualTo(1), "asked, since the manifest showed nothing");
        });
    }

    [Test]
    public async Task RefusedRequest_IsNoPull_TheLastUseStays()
    {
        var (_, _, layer) = PushPrivateImage();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), services: services => services.AddSingleton<TimeProvider>(time));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Private}/manifests/latest")).Dispose();
        (await client.GetAsync($"/v2/{Private}/blobs/{layer}")).Dispose();
        await mirror.ReadCommittedBlobAsync(layer);
        var index = mirror.Services.GetRequiredService<StoreIndex>();
        var pulled = index.TryFind(ContentKind.Blob, layer)!.LastUse;
        time.Advance(TimeSpan.FromHours(1));

        using var refused = await client.GetAsync($"/v2/{Public}/blobs/{layer}");

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(index.TryFind(ContentKind.Blob, layer)!.LastUse, Is.EqualTo(pulled));
        });
    }

    [Test]
    public async Task LinksLost_TheTagsJournalStillShowsWhatARepositoryHolds_ServedWhileTheUpstreamIsDown()
    {
        var (manifest, _, layer) = PushPrivateImage();
        var store = TempDir.Combine("store");
        using (var first = new MirrorFactory(Upstream.Url, store))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            (await client.GetAsync($"/v2/{Private}/manifests/latest")).Dispose();
            (await client.GetAsync($"/v2/{Private}/blobs/{layer}")).Dispose();
            await first.ReadCommittedBlobAsync(layer);
        }

        File.Delete(Path.Combine(store, "metadata", "links.txt"));
        Upstream.Server.Stop();
        using var second = new MirrorFactory(Upstream.Url, store);
        using var again = new HttpClient { BaseAddress = second.Address };
        using var byDigest = await again.GetAsync($"/v2/{Private}/manifests/{manifest}");
        using var blob = await again.GetAsync($"/v2/{Private}/blobs/{layer}");

        Assert.Multiple(() =>
        {
            Assert.That(byDigest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    private (Mirror.Cache.Protocol.Digest Manifest, Mirror.Cache.Protocol.Digest Config, Mirror.Cache.Protocol.Digest Layer) PushPrivateImage()
    {
        var config = Upstream.AddBlob(Private, RandomNumberGenerator.GetBytes(128));
        var layer = Upstream.AddBlob(Private, _layerContent);
        var manifest = Upstream.AddManifest(Private, "latest", Manifests.Image(config, layer), MediaTypes.DockerManifest);
        return (manifest, config, layer);
    }
}
