using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>Each counter moves by exactly what the requests made happen; the X-Cache header and request log agree.</summary>
[TestFixture]
internal sealed class MetricsTests
{
    private const string Repository = "library/busybox";

    private TestDirectory _directory = null!;
    private BlobUpstream _upstream = null!;
    private MirrorFactory _mirror = null!;
    private HttpClient _client = null!;
    private Dictionary<string, MetricCollector<long>> _counters = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TestDirectory();
        _upstream = await BlobUpstream.StartAsync();
        _mirror = new MirrorFactory(_upstream.Url.ToString(), _directory.Combine("store"));
        _client = _mirror.CreateClient();
        var meters = _mirror.Services.GetRequiredService<IMeterFactory>();
        _counters = new[]
        {
            "registry_proxy_requests", "registry_proxy_hits", "registry_proxy_misses", "registry_proxy_pulled_bytes",
            "registry_proxy_pushed_bytes", "mirror_coalesced_requests", "mirror_digest_mismatches", "mirror_upstream_requests",
        }.ToDictionary(name => name, name => new MetricCollector<long>(meters, MirrorMetrics.MeterName, name));
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var collector in _counters.Values)
        {
            collector.Dispose();
        }

        _client.Dispose();
        _mirror.Dispose();
        await _upstream.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task Blob_MissThenHit_CountsOneOfEachAndTheExactBytes()
    {
        var content = RandomNumberGenerator.GetBytes(123_456);
        var digest = _upstream.Add(Repository, content);

        using var miss = await _client.GetAsync($"/v2/{Repository}/blobs/{digest}");
        await miss.Content.ReadAsByteArrayAsync();
        using var hit = await _client.GetAsync($"/v2/{Repository}/blobs/{digest}");
        await hit.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Sum("registry_proxy_requests", "blob"), Is.EqualTo(2));
            Assert.That(Sum("registry_proxy_misses", "blob"), Is.EqualTo(1));
            Assert.That(Sum("registry_proxy_hits", "blob"), Is.EqualTo(1));
            Assert.That(Sum("registry_proxy_pulled_bytes", "blob"), Is.EqualTo(content.Length));
            Assert.That(Sum("registry_proxy_pushed_bytes", "blob"), Is.EqualTo(2L * content.Length));
            Assert.That(Sum("mirror_coalesced_requests", "blob"), Is.Zero);
            Assert.That(miss.Headers.GetValues("X-Cache").Single(), Is.EqualTo("MISS"));
            Assert.That(hit.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
        });
    }

    [Test]
    public async Task Blob_TenClientsOnOneFill_OneMissNineCoalesced()
    {
        var content = RandomNumberGenerator.GetBytes(256 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 256 * 1024 });

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.GetAsync($"/v2/{Repository}/blobs/{digest}")));

        Assert.Multiple(() =>
        {
            Assert.That(Sum("registry_proxy_misses", "blob"), Is.EqualTo(10));
            Assert.That(Sum("mirror_coalesced_requests", "blob"), Is.EqualTo(9));
            Assert.That(Sum("registry_proxy_hits", "blob"), Is.Zero);
            Assert.That(Sum("registry_proxy_pulled_bytes", "blob"), Is.EqualTo(content.Length), "one fetch from the upstream");
            Assert.That(Sum("registry_proxy_pushed_bytes", "blob"), Is.EqualTo(10L * content.Length));
            Assert.That(responses.Select(r => r.Headers.GetValues("X-Cache").Single()), Has.Exactly(1).EqualTo("MISS").And.Exactly(9).EqualTo("COALESCED"));
        });
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task Blob_HeadMiss_CountsAMissAndNoBytes()
    {
        var digest = _upstream.Add(Repository, RandomNumberGenerator.GetBytes(1000));

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{Repository}/blobs/{digest}"));

        Assert.Multiple(() =>
        {
            Assert.That(Sum("registry_proxy_misses", "blob"), Is.EqualTo(1));
            Assert.That(Sum("registry_proxy_pulled_bytes", "blob"), Is.Zero);
            Assert.That(Sum("registry_proxy_pushed_bytes", "blob"), Is.Zero);
            Assert.That(Sum("mirror_upstream_requests", null, ("method", "HEAD"), ("status", "200")), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Blob_DigestMismatch_IsCountedAndNotAHit()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = _upstream.Add(Repository, content, new BlobFaults { FlipAt = 50_000 });

        Assert.That(async () => await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}"), Throws.Exception);

        Assert.Multiple(() =>
        {
            Assert.That(Sum("mirror_digest_mismatches", "blob"), Is.EqualTo(1));
            Assert.That(Sum("registry_proxy_hits", "blob"), Is.Zero);
        });
    }

    [Test]
    public async Task Manifest_TagMissThenHit_CountsOneOfEach()
    {
        using var registry = new FakeRegistry();
        var content = Manifests.Image(Digest.Compute("c"u8), Digest.Compute("l"u8));
        registry.AddManifest(Repository, "latest", content, MediaTypes.DockerManifest);
        using var mirror = new MirrorFactory(registry.Url, _directory.Combine("manifests"));
        using var client = mirror.CreateClient();
        var meters = mirror.Services.GetRequiredService<IMeterFactory>();
        using var hits = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_hits");
        using var misses = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_misses");
        using var pulled = new MetricCollector<long>(meters, MirrorMetrics.MeterName, "registry_proxy_pulled_bytes");

        using var first = await client.GetAsync($"/v2/{Repository}/manifests/latest");
        using var second = await client.GetAsync($"/v2/{Repository}/manifests/latest");

        Assert.Multiple(() =>
        {
            Assert.That(Sum(misses, "manifest"), Is.EqualTo(1));
            Assert.That(Sum(hits, "manifest"), Is.EqualTo(1), "a tag served from the store after its revalidating HEAD is a hit");
            Assert.That(Sum(pulled, "manifest"), Is.EqualTo(content.Length));
            Assert.That(first.Headers.GetValues("X-Cache").Single(), Is.EqualTo("MISS"));
            Assert.That(second.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
        });
    }

    [Test]
    public async Task RequestLog_OneLinePerRequestWithItsFields()
    {
        var content = RandomNumberGenerator.GetBytes(4321);
        var digest = _upstream.Add(Repository, content);

        (await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}")).AsSpan();

        // The line is written when the request ends, which the client may see a moment before it is.
        List<string> RequestLines() => _mirror.Logs.Lines.Where(l => l.Contains("[2009]", StringComparison.Ordinal)).ToList();
        await Eventually.TrueAsync(() => RequestLines().Count > 0, "the request's log line is written");
        var lines = RequestLines();
        Assert.That(lines, Has.Count.EqualTo(1));
        Assert.That(lines[0], Does.Contain($"GET {Repository} blob {digest} 200 4321B").And.Contain("ms miss"));
    }

    [Test]
    public async Task Metrics_ScrapeEndpoint_HasTheRegistryProxyCounters()
    {
        var digest = _upstream.Add(Repository, RandomNumberGenerator.GetBytes(1000));
        (await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}")).AsSpan();

        var text = await _client.GetStringAsync("/metrics");

        Assert.That(text, Does.Contain("registry_proxy_misses_total{otel_scope_name=\"Mirror\",type=\"blob\",upstream=\"docker.io\"} 1"));
    }

    [Test]
    public async Task Health_LiveAndReadyWithTheUpstreamDown_ReadyIsDegradedNotFailed()
    {
        await _upstream.DisposeAsync();
        using (await _client.GetAsync($"/v2/{Repository}/blobs/{Digest.Compute("x"u8)}"))
        {
        }

        using var live = await _client.GetAsync("/healthz");
        using var ready = await _client.GetAsync("/readyz");

        Assert.Multiple(async () =>
        {
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("\"upstream\":{\"status\":\"Degraded\""));
        });
        _upstream = await BlobUpstream.StartAsync();
    }

    [Test]
    public async Task Health_StoreNotWritable_ReadyFails()
    {
        _ = _mirror.Address;
        var temp = _directory.Combine("store", "tmp");
        Directory.Delete(temp);
        await File.WriteAllTextAsync(temp, "not a directory");

        using var live = await _client.GetAsync("/healthz");
        using var ready = await _client.GetAsync("/readyz");

        Assert.Multiple(async () =>
        {
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("\"store\":{\"status\":\"Unhealthy\""));
        });
    }

    [Test]
    public async Task DebugAddress_ServesMetricsAndHealthButNotTheRegistryApi()
    {
        var port = FreePort.Next();
        using var mirror = new MirrorFactory(_upstream.Url.ToString(), _directory.Combine("debug"), new Dictionary<string, string?> { ["http:debug:addr"] = $"127.0.0.1:{port}" });
        _ = mirror.Address;
        using var debug = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var metrics = await debug.GetAsync("/metrics");
        using var health = await debug.GetAsync("/healthz");
        using var registry = await debug.GetAsync("/v2/");

        Assert.Multiple(() =>
        {
            Assert.That(metrics.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(registry.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    private long Sum(string instrument, string? type, params (string Key, string Value)[] tags) => Sum(_counters[instrument], type, tags);

    private static long Sum(MetricCollector<long> collector, string? type, params (string Key, string Value)[] tags) =>
        collector.GetMeasurementSnapshot()
            .Where(m => type is null || (m.Tags.TryGetValue("type", out var t) && (string?)t == type))
            .Where(m => tags.All(tag => m.Tags.TryGetValue(tag.Key, out var v) && v?.ToString() == tag.Value))
            .Sum(m => m.Value);
}
