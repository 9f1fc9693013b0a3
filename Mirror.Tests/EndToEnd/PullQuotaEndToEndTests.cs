using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Docker Hub's pull quota with real processes (issue 19): docker-registry behind a Docker-Hub-like proxy of
/// the suite's own (<see cref="RateLimitedUpstream"/>: a pull per manifest GET, <c>ratelimit-*</c> headers,
/// <c>429</c> past the limit). The metrics track the quota; once it is spent, images in the store keep pulling
/// through a real dockerd, an uncached one is answered <c>429</c> with <c>Retry-After</c> without a manifest
/// GET reaching the upstream, and in a cluster the hold one node was told of holds on every node.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed partial class PullQuotaEndToEndTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [TestCase(3600, null)]
    [TestCase(21600, 300)]
    public async Task SpentQuota_CachedImagesPullThroughDockerd_UncachedOneIs429WithoutAnUpstreamGet(int window, int? retryAfter)
    {
        using var upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        var single = TestImage.Single("library/quota-a", "1.0", oci: false, TestImage.Busybox(), TestImage.FileLayer("a.txt", 4000, 31));
        var multi = TestImage.Multi("library/quota-b", "1.0", oci: true, TestImage.FileLayer("b.txt", 4000, 32));
        var uncached = TestImage.Single("library/quota-c", "1.0", oci: false, TestImage.FileLayer("c.txt", 4000, 33));
        var other = TestImage.Single("library/quota-d", "1.0", oci: false, TestImage.FileLayer("d.txt", 4000, 34));
        foreach (var image in new[] { single, multi, uncached, other })
        {
            await upstream.PushAsync(image, tokens: null);
        }

        await using var hub = await RateLimitedUpstream.StartAsync(upstream.Url);
        hub.Limit = 20;
        hub.WindowSeconds = window;
        hub.RetryAfterSeconds = retryAfter;
        using var mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), hub.Url);
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), mirror.Url);
        using var client = new HttpClient { BaseAddress = mirror.Url };
        foreach (var image in new[] { single, multi })
        {
            var pull = await docker.DockerAsync("pull", image.DockerName);
            Assert.That(pull.Succeeded, Is.True, pull.ToString());
        }

        var spent = hub.Spent;
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(spent, Is.EqualTo(hub.ManifestGets).And.GreaterThanOrEqualTo(3), "the single image's manifest, the index and a platform manifest");
            Assert.That(Metric(metrics, "mirror_upstream_pulls_total"), Is.EqualTo(spent), metrics);
            Assert.That(Metric(metrics, "mirror_upstream_pulls_limit"), Is.EqualTo(20), metrics);
            Assert.That(Metric(metrics, "mirror_upstream_pulls_remaining"), Is.EqualTo(20 - spent), metrics);
        });

        // Other clients behind the same address spend the rest; a client's GET by digest meets the refusal.
        hub.SpendAll();
        using var refused = await client.GetAsync($"/v2/{other.Repository}/manifests/{other.Manifest.Digest}");
        var getsAfterRefusal = hub.ManifestGets;
        Assert.That((await docker.DockerAsync("rmi", single.DockerName, multi.DockerName)).Succeeded, Is.True);

        var again = await Task.WhenAll(new[] { single, multi }.Select(image => docker.DockerAsync("pull", image.DockerName)));
        var run = await docker.DockerAsync("run", "--rm", "--network", "none", single.DockerName, "/bin/busybox", "echo", "pulled on a spent quota");
        var denied = await docker.DockerAsync("pull", uncached.DockerName);
        using var held = await client.GetAsync($"/v2/{uncached.Repository}/manifests/{uncached.Tag}");
        var status = await client.GetStringAsync("/status.json");
        metrics = await client.GetStringAsync("/metrics");

        var expected = retryAfter ?? 60;
        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), Is.InRange(expected - 5, expected));
            Assert.That(again.Select(p => p.Succeeded), Is.All.True, string.Join('\n', again.Select(p => p.ToString())));
            Assert.That(run.Output, Does.Contain("pulled on a spent quota"), run.ToString());
            Assert.That(denied.Succeeded, Is.False, denied.ToString());
            Assert.That(held.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(await OciErrors.CodeOf(held), Is.EqualTo("TOOMANYREQUESTS"));
            Assert.That(int.Parse(held.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), Is.InRange(1, expected));
            Assert.That(hub.ManifestGets, Is.EqualTo(getsAfterRefusal), "no manifest GET reached the upstream after its refusal:\n" + string.Join('\n', hub.Log));
            Assert.That(Metric(metrics, "mirror_upstream_pulls_held_total"), Is.GreaterThanOrEqualTo(2), metrics);
            Assert.That(Metric(metrics, "mirror_upstream_pulls_remaining"), Is.Zero, metrics);
            Assert.That(status, Does.Contain("\"held\":true"));
        });
    }

    [TestCase(3600, null)]
    [TestCase(21600, 120)]
    public async Task Cluster_AHoldOneNodeWasToldOf_HoldsOnEveryNode(int window, int? retryAfter)
    {
        using var redis = await RedisServer.StartAsync();
        using var upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        var images = Enumerable.Range(0, 4).Select(i => TestImage.Single($"library/quota-node{i}", "1.0", oci: false, TestImage.FileLayer("n.txt", 2000, 40 + i))).ToList();
        foreach (var image in images)
        {
            await upstream.PushAsync(image, tokens: null);
        }

        await using var hub = await RateLimitedUpstream.StartAsync(upstream.Url);
        hub.WindowSeconds = window;
        hub.RetryAfterSeconds = retryAfter;
        var store = _directory.Combine("store");
        var nodes = new List<MirrorProcess>();
        try
        {
            for (var node = 1; node <= 3; node++)
            {
                nodes.Add(await MirrorProcess.StartAsync(
                    _directory.Combine($"node{node}"), hub.Url, extraYaml: $"redis:\n  addr: {redis.Address}\nmirror:\n  cluster:\n    node: node-{node}", store: store));
            }

            using var client = new HttpClient();
            hub.SpendAll();
            using var refused = await client.GetAsync(new Uri(nodes[0].Url, $"/v2/{images[0].Repository}/manifests/{images[0].Manifest.Digest}"));
            var gets = hub.ManifestGets;
            var others = new List<HttpResponseMessage>();
            for (var node = 1; node <= 2; node++)
            {
                others.Add(await client.GetAsync(new Uri(nodes[node].Url, $"/v2/{images[node].Repository}/manifests/{images[node].Manifest.Digest}")));
                others.Add(await client.GetAsync(new Uri(nodes[node].Url, $"/v2/{images[3].Repository}/manifests/{images[3].Tag}")));
            }

            var expected = retryAfter ?? 60;
            Assert.Multiple(() =>
            {
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
                Assert.That(gets, Is.EqualTo(1));
                Assert.That(others.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.TooManyRequests));
                Assert.That(others.Select(r => int.Parse(r.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture)), Is.All.InRange(1, expected));
                Assert.That(hub.ManifestGets, Is.EqualTo(gets), "no node sent a manifest GET the upstream had refused:\n" + string.Join('\n', hub.Log));
            });
            others.ForEach(r => r.Dispose());
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }

    /// <summary>The value of <paramref name="name"/> for the docker.io upstream in Prometheus's text format.</summary>
    private static long Metric(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains("upstream=\"docker.io\"", StringComparison.Ordinal));
        return line is null ? -1 : (long)double.Parse(Value().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\}\s+([0-9.eE+-]+)")]
    private static partial Regex Value();
}
