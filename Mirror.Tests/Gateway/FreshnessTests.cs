using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>Tag freshness, serving through upstream outages, and bounded waits on a dead upstream.</summary>
[TestFixture]
internal sealed class FreshnessTests : FakeUpstreamTests
{
    private const string Repository = "library/busybox";

    private static readonly byte[] Content = Manifests.Image(Digest.Compute("config"u8), Digest.Compute("layer"u8));


    [Test]
    public async Task TagTtl_WithinIt_NoUpstreamRequestAfterIt_AHeadAgain()
    {
        Upstream.AddManifest(Repository, "latest", Content, MediaTypes.DockerManifest);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = Mirror(new() { ["mirror:tagttl"] = "5m" }, time);
        using var client = mirror.CreateClient();
        (await client.GetAsync($"/v2/{Repository}/manifests/latest")).Dispose();
        Upstream.Server.ResetLogEntries();

        time.Advance(TimeSpan.FromMinutes(4));
        using var within = await client.GetAsync($"/v2/{Repository}/manifests/latest");
        var requestsWithin = Upstream.Log.Count;
        time.Advance(TimeSpan.FromMinutes(2));
        using var after = await client.GetAsync($"/v2/{Repository}/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(await within.Content.ReadAsByteArrayAsync(), Is.EqualTo(Content));
            Assert.That(within.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(requestsWithin, Is.Zero);
            Assert.That(Upstream.Count("HEAD", $"/v2/{Repository}/manifests/latest"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task TagTtl_Default_EveryRequestAsksWithAHead()
    {
        Upstream.AddManifest(Repository, "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync($"/v2/{Repository}/manifests/latest")).Dispose();
        }

        Assert.That(Upstream.Count("HEAD", $"/v2/{Repository}/manifests/latest"), Is.EqualTo(3));
    }

    [Test]
    public async Task Tag_RepointedUpstream_IsSeenAtOnce()
    {
        var first = Upstream.AddManifest(Repository, "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        (await client.GetAsync($"/v2/{Repository}/manifests/latest")).Dispose();
        var moved = Manifests.Image(Digest.Compute("new config"u8), Digest.Compute("new layer"u8));
        var second = Upstream.AddManifest(Repository, "latest", moved, MediaTypes.DockerManifest);

        using var response = await client.GetAsync($"/v2/{Repository}/manifests/latest");
        using var old = await client.GetAsync($"/v2/{Repository}/manifests/{first}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(second.ToString()));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(moved));
            Assert.That(await old.Content.ReadAsByteArrayAsync(), Is.EqualTo(Content), "the old digest still pulls by digest");
        });
    }

    [TestCase("down")]
    [TestCase("503")]
    [TestCase("429")]
    [TestCase("token realm down")]
    public async Task Tag_UpstreamCannotBeAsked_ServesTheLastKnownDigestMarkedStale(string outage)
    {
        using var realm = new FakeRegistry();
        realm.Server.Given(Request.Create().WithPath("/token").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"token\":\"t\",\"expires_in\":1}"));
        if (outage == "token realm down")
        {
            Upstream.RequireBearer($"{realm.Url}/token", "t");
        }

        var digest = Upstream.AddManifest(Repository, "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        using var stale = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_stale_responses");
        (await client.GetAsync($"/v2/{Repository}/manifests/latest")).Dispose();
        switch (outage)
        {
            case "down":
                Upstream.Server.Stop();
                break;
            case "token realm down":
                realm.Server.Stop();
                break;
            default:
                Upstream.Server.Given(Request.Create().WithPath("/v2/*").UsingAnyMethod()).AtPriority(1)
                    .RespondWith(Response.Create().WithStatusCode(int.Parse(outage, System.Globalization.CultureInfo.InvariantCulture)));
                break;
        }

        using var response = await client.GetAsync($"/v2/{Repository}/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(Content));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(response.Headers.GetValues("Warning").Single(), Does.StartWith("110"));
            Assert.That(response.Headers.GetValues("X-Cache").Single(), Is.EqualTo("STALE"));
            Assert.That(stale.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["type"])), Is.EqualTo(new[] { (1L, (object?)"manifest") }));
        });
    }

    [Test]
    public async Task Tag_UnknownWhileTheUpstreamIsDown_Is503Unavailable()
    {
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        Upstream.Server.Stop();

        using var response = await client.GetAsync($"/v2/{Repository}/manifests/latest");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNAVAILABLE"));
    }

    [Test]
    public async Task Tag_KnownBeforeARestart_ServedStaleAfterIt()
    {
        var digest = Upstream.AddManifest(Repository, "latest", Content, MediaTypes.DockerManifest);
        using (var first = Mirror())
        using (var client = first.CreateClient())
        {
            (await client.GetAsync($"/v2/{Repository}/manifests/latest")).Dispose();
        }

        Upstream.Server.Stop();
        using var restarted = Mirror();
        using var restartedClient = restarted.CreateClient();
        using var response = await restartedClient.GetAsync($"/v2/{Repository}/manifests/latest");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
    }

    [Test]
    public async Task TagList_UpstreamDown_ServesTheLastListMarkedStale()
    {
        Upstream.Server.Given(Request.Create().WithPath($"/v2/{Repository}/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"library/busybox\",\"tags\":[\"b\",\"a\"]}"));
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        using var stale = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_stale_responses");
        (await client.GetAsync($"/v2/{Repository}/tags/list")).Dispose();
        Upstream.Server.Stop();

        using var response = await client.GetAsync($"/v2/{Repository}/tags/list");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"tags\":[\"a\",\"b\"]"));
            Assert.That(response.Headers.GetValues("X-Cache").Single(), Is.EqualTo("STALE"));
            Assert.That(stale.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["type"])), Is.EqualTo(new[] { (1L, (object?)"taglist") }));
        });
    }

    [Test]
    public async Task RateLimitHeaders_ArePassedToClients()
    {
        var digest = Digest.Compute(Content);
        Upstream.Server.Given(Request.Create().WithPath($"/v2/{Repository}/manifests/latest").UsingHead())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", MediaTypes.DockerManifest)
                .WithHeader("Docker-Content-Digest", digest.ToString())
                .WithHeader("ratelimit-limit", "100;w=21600").WithHeader("ratelimit-remaining", "76;w=21600"));
        Upstream.AddManifest(Repository, null, Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/{Repository}/manifests/latest");

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.GetValues("ratelimit-limit").Single(), Is.EqualTo("100;w=21600"));
            Assert.That(response.Headers.GetValues("ratelimit-remaining").Single(), Is.EqualTo("76;w=21600"));
        });
    }

    [Test]
    public async Task FirstByteTimeout_ASilentUpstreamHoldsTheClientNoLonger()
    {
        Upstream.Server.Given(Request.Create().WithPath($"/v2/{Repository}/manifests/latest").UsingHead())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(20)));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = Mirror(new() { ["mirror:timeouts:firstbyte"] = "500ms" }, time);
        using var client = mirror.CreateClient();

        // The mirror's clock, not the wall's: moved past the bound while the upstream is still silent, it
        // must give up; had it waited for the upstream, the answer would be the upstream's 200.
        var request = client.GetAsync($"/v2/{Repository}/manifests/latest");
        using var response = await Eventually.CompletesAsync(request, time, TimeSpan.FromMilliseconds(600), "the request is answered as the mirror's clock passes the first-byte bound");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task IdleTimeout_AStalledBodyIsResumed()
    {
        await using var blobs = await BlobUpstream.StartAsync();
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var digest = blobs.Add(Repository, content, new BlobFaults { StallAt = 300_000, StallFor = TimeSpan.FromSeconds(30) });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = new MirrorFactory(blobs.Url.ToString(), TempDir.Combine("blobs"), new Dictionary<string, string?> { ["mirror:timeouts:idle"] = "500ms" }, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.Configure<FillOptions>(options => options.ResumeBackoff = TimeSpan.Zero);
        });
        using var client = mirror.CreateClient();

        // The stall lasts 30 s of the wall's time; the mirror's clock passes the idle bound well before.
        var body = await Eventually.CompletesAsync(client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}"), time, TimeSpan.FromMilliseconds(600), "the stalled blob is resumed and completes as the mirror's clock passes the idle bound");

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(content));
            Assert.That(blobs.Log.Last(), Does.Match(@"bytes=[1-9][0-9]*-$"), "resumed with a range from where the body stalled");
        });
    }

    [Test]
    public async Task MinFreeSpace_Below_ServesWithoutStoring()
    {
        await using var blobs = await BlobUpstream.StartAsync();
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = blobs.Add(Repository, content);
        using var mirror = new MirrorFactory(blobs.Url.ToString(), TempDir.Combine("full"), new Dictionary<string, string?> { ["mirror:minfreespace"] = "1000TB" });
        using var client = mirror.CreateClient();

        var body = await client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(content));
            Assert.That(Directory.GetFiles(TempDir.Combine("full", "blobs"), "*", SearchOption.AllDirectories), Is.Empty);
            Assert.That(mirror.Logs.Lines, Has.Some.Contains("[1010]"));
        });
    }

    [Test]
    public async Task MaxSize_StoreGrownPastIt_IsSweptUnderItKeepingTheNewest()
    {
        await using var blobs = await BlobUpstream.StartAsync();
        var digests = Enumerable.Range(0, 10).Select(_ => blobs.Add(Repository, RandomNumberGenerator.GetBytes(100_000))).ToList();
        using var mirror = new MirrorFactory(blobs.Url.ToString(), TempDir.Combine("small"), new Dictionary<string, string?> { ["mirror:maxsize"] = "500KB" });
        using var client = mirror.CreateClient();

        foreach (var digest in digests)
        {
            (await client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}")).AsSpan();
        }

        var files = Array.Empty<string>();
        await Eventually.TrueAsync(
            () =>
            {
                files = Directory.GetFiles(TempDir.Combine("small", "blobs"), "*", SearchOption.AllDirectories);
                return SizeOf(files) <= 500_000 && files.Any(f => Path.GetFileName(f) == digests[^1].Hex);
            },
            "the sweep takes the store under its budget, keeping the blob pulled last");

        Assert.Multiple(() =>
        {
            Assert.That(SizeOf(files), Is.LessThanOrEqualTo(500_000));
            Assert.That(files.Select(Path.GetFileName), Does.Contain(digests[^1].Hex), "the most recently pulled stays");
            Assert.That(mirror.Logs.Lines, Has.Some.Contains("[1012]"));
        });
    }

    /// <summary>The files' total size, counting any the sweeper removed meanwhile as gone.</summary>
    private static long SizeOf(IEnumerable<string> files) => files.Sum(file =>
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    });

    private MirrorFactory Mirror(Dictionary<string, string?>? settings = null, TimeProvider? time = null) =>
        new(Upstream.Url, TempDir.Combine("store"), settings, time is null ? null : services => services.AddSingleton(time));
}
