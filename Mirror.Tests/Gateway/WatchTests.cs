using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirror.Cache.Protocol;
using Mirror.Cache.Quota;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Watched images in the gateway as composed, against a WireMock upstream: a watched tag's chosen platform
/// is in the store before any client asks, nothing else is fetched, and a pull budget that defers background
/// work keeps every manifest GET back, said in the log, the metric and the status page.
/// </summary>
[TestFixture]
internal sealed class WatchTests : FakeUpstreamTests
{
    private const string Repository = "library/watched";

    [Test]
    public async Task Watch_ListedPlatform_IsStoredBeforeAnyClientAsks_NoOtherPlatformNorAttestationFetched()
    {
        var image = AddList();
        using var mirror = Mirror(platforms: "linux/arm64");
        using var client = mirror.CreateClient();

        foreach (var blob in image.Arm64Blobs)
        {
            await mirror.ReadCommittedBlobAsync(blob);
        }

        var status = await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await client.GetStringAsync("/status.json")).RootElement.GetProperty("watch").GetProperty("tags")[0].Clone(),
            tag => tag.GetProperty("inStore").GetBoolean(),
            "the status page shows the watched image in the store");

        Assert.Multiple(() =>
        {
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/manifests/{image.Arm64}"), Is.EqualTo(1));
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/manifests/{image.Amd64}"), Is.Zero, "not a listed platform");
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/manifests/{image.Attestation}"), Is.Zero, "attestations are never fetched");
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/blobs/{image.Amd64Layer}"), Is.Zero);
            Assert.That(Upstream.Count("HEAD", $"/v2/{Repository}/manifests/1"), Is.EqualTo(1), "one free HEAD checks the tag");
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/manifests/1"), Is.Zero, "the list is fetched by digest, never by tag");
            Assert.That(status.GetProperty("digest").GetString(), Is.EqualTo(image.List.ToString()));
            Assert.That(status.GetProperty("image").GetString(), Is.EqualTo("library/watched:1"));
        });
    }

    [Test]
    public async Task Watch_BudgetDefers_NoManifestGetReachesTheUpstream_TheDeferralIsLoggedCountedAndShown()
    {
        AddList();
        var budget = new DeferringBudget(new PullDeferral(DateTimeOffset.UtcNow.AddMinutes(5), "at the reserve"));
        using var mirror = Mirror(platforms: "linux/arm64", services: services => services.AddSingleton<IPullBudget>(budget));
        using var client = mirror.CreateClient();

        await Eventually.TrueAsync(() => mirror.Logs.Lines.Any(l => l.Contains("Watch of library/watched:1 deferred on docker.io", StringComparison.Ordinal)), "the deferral is logged");
        var metrics = await client.GetStringAsync("/metrics");
        var status = JsonDocument.Parse(await client.GetStringAsync("/status.json")).RootElement.GetProperty("watch").GetProperty("tags")[0];

        Assert.Multiple(() =>
        {
            Assert.That(budget.Asked, Does.Contain(string.Empty), "the first upstream, as IPullBudget names it");
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/manifests/"), Is.Zero, "no pull spent");
            Assert.That(Upstream.Count("HEAD", $"/v2/{Repository}/manifests/1"), Is.EqualTo(1), "the HEAD is free and still asked");
            Assert.That(metrics, Does.Contain("mirror_watch_deferred_total{otel_scope_name=\"Mirror\",upstream=\"docker.io\"} 1"));
            Assert.That(status.GetProperty("deferrals").GetInt64(), Is.EqualTo(1));
            Assert.That(status.GetProperty("deferral").GetString(), Is.EqualTo("at the reserve"));
            Assert.That(status.GetProperty("inStore").GetBoolean(), Is.False);
        });
    }

    private MirrorFactory Mirror(string platforms, Action<IServiceCollection>? services = null) =>
        new(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["mirror:watch:0:image"] = "watched:1",
            ["mirror:watch:0:interval"] = "1h",
            ["mirror:watch:0:platforms:0"] = platforms,
        }, services);

    /// <summary>An index of an amd64 and an arm64 image and an attestation, under <see cref="Repository"/>:1.</summary>
    private WatchedList AddList()
    {
        Digest Blob(int size) => Upstream.AddBlob(Repository, RandomNumberGenerator.GetBytes(size));
        var (amd64Config, amd64Layer, arm64Config, arm64Layer) = (Blob(100), Blob(3000), Blob(100), Blob(4000));
        var amd64 = Upstream.AddManifest(Repository, null, Manifests.Image(MediaTypes.OciManifest, amd64Config, amd64Layer), MediaTypes.OciManifest);
        var arm64 = Upstream.AddManifest(Repository, null, Manifests.Image(MediaTypes.OciManifest, arm64Config, arm64Layer), MediaTypes.OciManifest);
        var attestation = Upstream.AddManifest(Repository, null, Manifests.Image(MediaTypes.OciManifest, Blob(50), Blob(60)), MediaTypes.OciManifest);
        var index = Manifests.Bytes($$$"""
            {"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{amd64}}}","size":1,"platform":{"architecture":"amd64","os":"linux"}},
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{arm64}}}","size":1,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
              {"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{attestation}}}","size":1,"platform":{"architecture":"unknown","os":"unknown"}}
            ]}
            """);
        var list = Upstream.AddManifest(Repository, "1", index, MediaTypes.OciIndex);
        return new WatchedList(list, amd64, arm64, attestation, amd64Layer, [arm64Config, arm64Layer]);
    }

    private sealed record WatchedList(Digest List, Digest Amd64, Digest Arm64, Digest Attestation, Digest Amd64Layer, Digest[] Arm64Blobs);

    /// <summary>A pull budget that always defers background work, and remembers which upstreams it was asked about.</summary>
    private sealed class DeferringBudget(PullDeferral deferral) : IPullBudget
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Asked { get; } = new();

        public PullDeferral? DeferBackground(string upstream)
        {
            Asked.Enqueue(upstream);
            return deferral;
        }
    }
}
