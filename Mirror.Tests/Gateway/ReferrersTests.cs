using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The referrers API (distribution-spec 1.1): passed to an upstream that has it and kept, revalidated as a
/// tag and served while the upstream is down; read through the referrers tag schema from one that has not;
/// an empty index when there is neither; filtered by <c>artifactType</c>.
/// </summary>
[TestFixture]
internal sealed class ReferrersTests : FakeUpstreamTests
{
    private const string Repository = "library/app";
    private const string SbomType = "application/spdx+json";
    private const string SignatureType = "application/vnd.dev.sigstore.bundle.v0.3+json";

    private static readonly Digest Subject = Digest.Compute("the image"u8);

    private static readonly byte[] Index = JsonSerializer.SerializeToUtf8Bytes(new
    {
        schemaVersion = 2,
        mediaType = MediaTypes.OciIndex,
        manifests = new[]
        {
            new { mediaType = MediaTypes.OciManifest, digest = Digest.Compute("sbom"u8).ToString(), size = 10, artifactType = SbomType },
            new { mediaType = MediaTypes.OciManifest, digest = Digest.Compute("bundle"u8).ToString(), size = 10, artifactType = SignatureType },
        },
    });

    private static string ReferrersPath => $"/v2/{Repository}/referrers/{Subject}";

    [Test]
    public async Task Referrers_UpstreamHasTheApi_PassedThroughAndKeptWithinTheTagTtl()
    {
        ServeReferrersApi();
        using var mirror = Mirror(new() { ["mirror:tagttl"] = "5m" });
        using var client = mirror.CreateClient();

        using var first = await client.GetAsync(ReferrersPath);
        using var second = await client.GetAsync(ReferrersPath);

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first.Content.Headers.ContentType?.MediaType, Is.EqualTo(MediaTypes.OciIndex));
            Assert.That(await first.Content.ReadAsByteArrayAsync(), Is.EqualTo(Index));
            Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.EqualTo(Index));
            Assert.That(second.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(Upstream.Count("GET", ReferrersPath), Is.EqualTo(1), "the second answer came from the store");
        });
    }

    [Test]
    public async Task Referrers_AskedTwice_CountedAsARequestMissThenHitOfTheirOwnType()
    {
        ServeReferrersApi();
        using var mirror = Mirror(new() { ["mirror:tagttl"] = "5m" });
        using var client = mirror.CreateClient();
        var meters = mirror.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_requests");
        using var hits = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_hits");
        using var misses = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_misses");
        using var pushed = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_pushed_bytes");

        (await client.GetAsync(ReferrersPath)).Dispose();
        (await client.GetAsync(ReferrersPath)).Dispose();

        static long Of(MetricCollector<long> counter) =>
            counter.GetMeasurementSnapshot().Where(m => m.Tags["type"] as string == MirrorMetrics.Referrers).Sum(m => m.Value);
        Assert.Multiple(() =>
        {
            Assert.That(Of(requests), Is.EqualTo(2));
            Assert.That(Of(misses), Is.EqualTo(1), "the first came from the upstream");
            Assert.That(Of(hits), Is.EqualTo(1), "the second from the store");
            Assert.That(Of(pushed), Is.EqualTo(2 * Index.Length));
        });
    }

    [Test]
    public async Task Referrers_TagTtlZero_AskedAgain_AndServedStaleWhileTheUpstreamIsDown()
    {
        ServeReferrersApi();
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        (await client.GetAsync(ReferrersPath)).EnsureSuccessStatusCode();
        (await client.GetAsync(ReferrersPath)).EnsureSuccessStatusCode();
        var asked = Upstream.Count("GET", ReferrersPath);

        Upstream.Server.Stop();
        using var offline = await client.GetAsync(ReferrersPath);

        Assert.Multiple(async () =>
        {
            Assert.That(asked, Is.EqualTo(2), "revalidated as a tag is, on every request");
            Assert.That(offline.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await offline.Content.ReadAsByteArrayAsync(), Is.EqualTo(Index));
            Assert.That(offline.Headers.GetValues("X-Cache").Single(), Is.EqualTo("STALE"));
            Assert.That(offline.Headers.Warning.ToString(), Does.Contain("110"), "marked stale as a stale manifest is (RFC 7234 5.5.1)");
        });
    }

    [Test]
    public async Task Referrers_ArtifactTypeFilter_KeepsThatTypeAndSaysSo()
    {
        ServeReferrersApi();
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var filtered = await client.GetAsync($"{ReferrersPath}?artifactType={Uri.EscapeDataString(SbomType)}");
        using var unfiltered = await client.GetAsync(ReferrersPath);

        using var json = JsonDocument.Parse(await filtered.Content.ReadAsByteArrayAsync());
        var types = json.RootElement.GetProperty("manifests").EnumerateArray().Select(d => d.GetProperty("artifactType").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(types, Is.EqualTo(new[] { SbomType }));
            Assert.That(filtered.Headers.GetValues("OCI-Filters-Applied").Single(), Is.EqualTo("artifactType"));
            Assert.That(unfiltered.Headers.Contains("OCI-Filters-Applied"), Is.False);
        });
    }

    [Test]
    public async Task Referrers_UpstreamWithoutTheApi_FallBackToTheTagSchema_OnlineAndOffline()
    {
        // WireMock answers 404 to the referrers path, as distribution 2.8 does: no API.
        var tag = SignatureTags.Of(Subject, string.Empty);
        Upstream.AddManifest(Repository, tag, Index, MediaTypes.OciIndex);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var online = await client.GetAsync(ReferrersPath);
        var taggedAsked = Upstream.Count("HEAD", $"/v2/{Repository}/manifests/{tag}");
        Upstream.Server.Stop();
        using var offline = await client.GetAsync($"{ReferrersPath}?artifactType={Uri.EscapeDataString(SignatureType)}");

        Assert.Multiple(async () =>
        {
            Assert.That(await online.Content.ReadAsByteArrayAsync(), Is.EqualTo(Index));
            Assert.That(taggedAsked, Is.EqualTo(1));
            Assert.That(offline.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await offline.Content.ReadAsStringAsync(), Does.Contain(Digest.Compute("bundle"u8).ToString()).And.Not.Contain(Digest.Compute("sbom"u8).ToString()));
        });
    }

    [Test]
    public async Task Referrers_NeitherApiNorTag_AnEmptyIndex()
    {
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync(ReferrersPath);

        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(json.RootElement.GetProperty("mediaType").GetString(), Is.EqualTo(MediaTypes.OciIndex));
            Assert.That(json.RootElement.GetProperty("manifests").GetArrayLength(), Is.Zero);
        });
    }

    [Test]
    public async Task Referrers_UpstreamDownAndNothingKept_Is503()
    {
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        Upstream.Server.Stop();

        using var response = await client.GetAsync(ReferrersPath);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNAVAILABLE"));
        });
    }

    private void ServeReferrersApi() =>
        Upstream.Server.Given(Request.Create().WithPath(ReferrersPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", MediaTypes.OciIndex).WithBody(Index));

    private MirrorFactory Mirror(Dictionary<string, string?>? settings = null) => new(Upstream.Url, TempDir.Combine("store"), settings);
}
