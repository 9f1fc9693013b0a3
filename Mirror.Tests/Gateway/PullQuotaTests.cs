using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Quota;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Docker Hub's pull quota (issue 19): read from every manifest answer, counted, shown, and honoured: once
/// the upstream has no pulls left, no manifest GET goes to it until one may succeed.
/// </summary>
[TestFixture]
internal sealed class PullQuotaTests : FakeUpstreamTests
{
    private const string Repository = "library/app";

    private RateLimitedUpstream _hub = null!;

    [SetUp]
    public async Task StartHub() => _hub = await RateLimitedUpstream.StartAsync(new Uri(Upstream.Url));

    [TearDown]
    public async Task StopHub() => await _hub.DisposeAsync();

    [TestCase(3600)]
    [TestCase(21600)]
    public async Task ManifestAnswers_MetricsAndStatusTrackTheQuota(int window)
    {
        _hub.WindowSeconds = window;
        Image("1.0");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        var meters = mirror.Services.GetRequiredService<IMeterFactory>();
        using var pulls = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "mirror_upstream_pulls");
        using var limit = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "mirror_upstream_pulls_limit");
        using var remaining = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "mirror_upstream_pulls_remaining");
        limit.RecordObservableInstruments();
        var before = limit.GetMeasurementSnapshot().Count;

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync($"/v2/{Repository}/manifests/1.0");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        limit.RecordObservableInstruments();
        remaining.RecordObservableInstruments();
        using var status = JsonDocument.Parse(await client.GetStringAsync("/status.json"));
        var quota = status.RootElement.GetProperty("upstreams")[0].GetProperty("quota");
        var page = await client.GetStringAsync("/");
        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Zero, "no gauge before the upstream has said");
            Assert.That(_hub.ManifestGets, Is.EqualTo(1), "the tag is checked with free HEADs after the first pull");
            Assert.That(pulls.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["upstream"])), Is.EqualTo(new[] { (1L, (object?)"docker.io") }));
            Assert.That(limit.LastMeasurement?.Value, Is.EqualTo(100));
            Assert.That(remaining.LastMeasurement?.Value, Is.EqualTo(99));
            Assert.That(remaining.LastMeasurement?.Tags["upstream"], Is.EqualTo("docker.io"));
            Assert.That(quota.GetProperty("limit").GetInt64(), Is.EqualTo(100));
            Assert.That(quota.GetProperty("remaining").GetInt64(), Is.EqualTo(99));
            Assert.That(quota.GetProperty("windowSeconds").GetInt64(), Is.EqualTo(window));
            Assert.That(quota.GetProperty("source").GetString(), Is.EqualTo("203.0.113.7"));
            Assert.That(quota.GetProperty("spent").GetInt32(), Is.EqualTo(1));
            Assert.That(quota.GetProperty("held").GetBoolean(), Is.False);
            Assert.That(page, Does.Contain("99 of 100 pulls left per").And.Contain("the mirror spent 1 in the last").And.Not.Contain("quota-held"));
        });
    }

    [Test]
    public async Task ManifestAnsweredTooLarge_StillCountedAsAPullSpent()
    {
        // Docker Hub counts the 200, not what the mirror made of it: a body over the 4 MiB limit is refused, but spent.
        Upstream.AddManifest(Repository, "huge", new byte[5 * 1024 * 1024], MediaTypes.OciManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        using var pulls = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_upstream_pulls");

        using var response = await client.GetAsync($"/v2/{Repository}/manifests/huge");

        using var status = JsonDocument.Parse(await client.GetStringAsync("/status.json"));
        var quota = status.RootElement.GetProperty("upstreams")[0].GetProperty("quota");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
            Assert.That(_hub.ManifestGets, Is.EqualTo(1));
            Assert.That(pulls.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1), "the refused 200 is a pull the upstream counted");
            Assert.That(quota.GetProperty("spent").GetInt32(), Is.EqualTo(1));
            Assert.That(quota.GetProperty("remaining").GetInt64(), Is.EqualTo(99), "its rate-limit headers are read too");
        });
    }

    [TestCase(3600, null)]
    [TestCase(3600, 120)]
    [TestCase(21600, null)]
    [TestCase(21600, 120)]
    public async Task Refused_NextUncachedImageAnswered429WithRetryAfter_NoUpstreamGet(int window, int? retryAfter)
    {
        _hub.WindowSeconds = window;
        _hub.RetryAfterSeconds = retryAfter;
        var b = Image("b");
        var c = Image("c");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        using var held = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_upstream_pulls_held");
        _hub.SpendAll();

        using var refused = await client.GetAsync($"/v2/{Repository}/manifests/{b}");
        var getsAfterRefusal = _hub.ManifestGets;
        using var answered = await client.GetAsync($"/v2/{Repository}/manifests/{c}");
        using var status = JsonDocument.Parse(await client.GetStringAsync("/status.json"));
        var page = await client.GetStringAsync("/");

        var expected = retryAfter ?? 60;
        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(int.Parse(refused.Headers.GetValues("Retry-After").Single()), Is.InRange(expected - 2, expected));
            Assert.That(getsAfterRefusal, Is.EqualTo(1));
            Assert.That(answered.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(await OciErrors.CodeOf(answered), Is.EqualTo("TOOMANYREQUESTS"));
            Assert.That(int.Parse(answered.Headers.GetValues("Retry-After").Single()), Is.InRange(expected - 2, expected));
            Assert.That(_hub.ManifestGets, Is.EqualTo(1), "the held GET never reached the upstream");
            Assert.That(held.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["upstream"])), Is.EqualTo(new[] { (1L, (object?)"docker.io") }));
            Assert.That(status.RootElement.GetProperty("upstreams")[0].GetProperty("quota").GetProperty("held").GetBoolean(), Is.True);
            Assert.That(status.RootElement.GetProperty("upstreams")[0].GetProperty("quota").GetProperty("heldUntil").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow));
            Assert.That(page, Does.Contain("id=\"quota-held\"").And.Contain("Manifest GETs held back until"));
        });
    }

    [TestCase(3600)]
    [TestCase(21600)]
    public async Task NoneLeftOnAHead_GetsHeldUntilAHeadSaysPullsAreBack(int window)
    {
        _hub.WindowSeconds = window;
        Image("1.0");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        _hub.SpendAll();

        using var held = await client.GetAsync($"/v2/{Repository}/manifests/1.0");
        var getsWhileHeld = _hub.ManifestGets;
        _hub.Refill();
        using var again = await client.GetAsync($"/v2/{Repository}/manifests/1.0");

        Assert.Multiple(() =>
        {
            Assert.That(held.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(held.Headers.Contains("Retry-After"), Is.True);
            Assert.That(getsWhileHeld, Is.Zero, "the HEAD said none were left: no GET was sent");
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a free HEAD said pulls are back: the hold is lifted");
            Assert.That(_hub.ManifestGets, Is.EqualTo(1));
        });
    }

    [TestCase(3600)]
    [TestCase(21600)]
    public async Task RetryAfter_AHeadSayingPullsAreBackDoesNotLiftTheHoldEarly(int window)
    {
        _hub.WindowSeconds = window;
        _hub.RetryAfterSeconds = 120;
        var b = Image("b");
        Image("c");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = Mirror(time: time);
        using var client = mirror.CreateClient();
        _hub.SpendAll();
        (await client.GetAsync($"/v2/{Repository}/manifests/{b}")).Dispose();
        _hub.Refill();

        using var early = await client.GetAsync($"/v2/{Repository}/manifests/c");
        var getsEarly = _hub.ManifestGets;
        time.Advance(TimeSpan.FromSeconds(121));
        using var later = await client.GetAsync($"/v2/{Repository}/manifests/c");

        Assert.Multiple(() =>
        {
            Assert.That(early.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(getsEarly, Is.EqualTo(1), "only the refused GET");
            Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_hub.ManifestGets, Is.EqualTo(2));
        });
    }

    [TestCase(3600)]
    [TestCase(21600)]
    public async Task Backoff_NoGetUntilTheFirstMinuteIsOver(int window)
    {
        _hub.WindowSeconds = window;
        var b = Image("b");
        var c = Image("c");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = Mirror(time: time);
        using var client = mirror.CreateClient();
        _hub.SpendAll();
        (await client.GetAsync($"/v2/{Repository}/manifests/{b}")).Dispose();
        _hub.Refill();

        time.Advance(TimeSpan.FromSeconds(59));
        using var within = await client.GetAsync($"/v2/{Repository}/manifests/{c}");
        var getsWithin = _hub.ManifestGets;
        time.Advance(TimeSpan.FromSeconds(2));
        using var after = await client.GetAsync($"/v2/{Repository}/manifests/{c}");

        Assert.Multiple(() =>
        {
            Assert.That(within.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(within.Headers.GetValues("Retry-After").Single(), Is.EqualTo("1"));
            Assert.That(getsWithin, Is.EqualTo(1));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_hub.ManifestGets, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Held_CachedImageServedAndAMovedTagServedStale()
    {
        var first = Image("1.0");
        var other = Image("2.0");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        (await client.GetAsync($"/v2/{Repository}/manifests/1.0")).Dispose();
        (await client.GetAsync($"/v2/{Repository}/manifests/2.0")).Dispose();
        _hub.SpendAll();
        var moved = Image("2.0", "moved");
        var gets = _hub.ManifestGets;

        using var cached = await client.GetAsync($"/v2/{Repository}/manifests/1.0");
        using var stale = await client.GetAsync($"/v2/{Repository}/manifests/2.0");
        using var byDigest = await client.GetAsync($"/v2/{Repository}/manifests/{moved}");

        Assert.Multiple(() =>
        {
            Assert.That(cached.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cached.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(first.ToString()));
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stale.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(other.ToString()));
            Assert.That(stale.Headers.GetValues("X-Cache").Single(), Is.EqualTo("STALE"));
            Assert.That(byDigest.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(_hub.ManifestGets, Is.EqualTo(gets), "no GET while the quota is spent");
        });
    }

    [TestCase(null, 16, true)]
    [TestCase(null, 21, false)]
    [TestCase("10", 16, false)]
    [TestCase("10", 10, true)]
    [TestCase("50%", 49, true)]
    public async Task Budget_BackgroundWorkWaitsAtOrBelowTheReserve(string? reserve, int remaining, bool deferred)
    {
        Image("1.0");
        _hub.Limit = 100;
        using var mirror = Mirror(reserve is null ? null : new() { ["mirror:quota:reserve"] = reserve });
        using var client = mirror.CreateClient();
        var budget = mirror.Services.GetRequiredService<IPullBudget>();
        var before = budget.DeferBackground("");
        _hub.Refill();
        for (var i = 0; i < 100 - remaining - 1; i++)
        {
            _hub.SpendOne();
        }

        (await client.GetAsync($"/v2/{Repository}/manifests/1.0")).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Null, "nothing said yet");
            Assert.That(budget.DeferBackground("") is not null, Is.EqualTo(deferred));
            Assert.That(budget.DeferBackground("docker.io") is not null, Is.EqualTo(deferred));
        });
    }

    [Test]
    public void Budget_PerUpstreamReserve_ReadFromItsEntry()
    {
        using var mirror = Mirror(new()
        {
            ["mirror:quota:reserve"] = "5",
            ["mirror:upstreams:ghcr.io:remoteurl"] = Upstream.Url,
            ["mirror:upstreams:ghcr.io:quota:reserve"] = "30%",
        });

        var options = mirror.Services.GetRequiredService<IOptions<QuotaOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.ReserveOf("ghcr.io"), Is.EqualTo(new PullReserve(30, true)));
            Assert.That(options.ReserveOf("docker.io"), Is.EqualTo(new PullReserve(5, false)));
        });
    }

    /// <summary>An image manifest under <paramref name="tag"/> (and its digest), distinct per <paramref name="salt"/>.</summary>
    private Digest Image(string tag, string salt = "") =>
        Upstream.AddManifest(Repository, tag, Manifests.Image(Digest.Compute(System.Text.Encoding.UTF8.GetBytes($"config {tag}{salt}")), Digest.Compute("layer"u8)), MediaTypes.DockerManifest);

    private MirrorFactory Mirror(Dictionary<string, string?>? settings = null, TimeProvider? time = null) =>
        new(_hub.Url.ToString(), TempDir.Combine("store"), settings, time is null ? null : services => services.AddSingleton(time));
}
