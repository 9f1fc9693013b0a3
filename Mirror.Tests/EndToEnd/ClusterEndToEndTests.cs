using System.Net;
using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Three mirror processes on one store directory, coordinated by a real redis-server, behind nginx as a
/// round-robin load balancer; the upstream is docker-registry behind a throttling proxy. One upstream fetch
/// per digest for the whole cluster, clients of every node served verified bytes, a filler killed mid-fill
/// taken over by another node, Redis killed and restarted during pulls without anything wrong served, and
/// nodes that name their Redis in <c>redis.addrs</c> sharing fills as well.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class ClusterEndToEndTests
{
    private const int Nodes = 3;
    private const string Repository = "library/clustered";

    private readonly TestImage _image = TestImage.Single("library/clusterapp", "1.0", oci: false, TestImage.Busybox(), TestImage.FileLayer("etc/cluster.txt", 100_000, 91));
    private readonly List<MirrorProcess> _nodes = [];

    private TestDirectory _directory = null!;
    private RedisServer _redis = null!;
    private UpstreamRegistry _upstream = null!;
    private FaultProxy _throttle = null!;
    private LoadBalancer _balancer = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _redis = await RedisServer.StartAsync();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), null);
        await _upstream.PushAsync(_image, null);
        _throttle = FaultProxy.Start(_upstream.Url);
        var store = _directory.Combine("store");
        for (var node = 1; node <= Nodes; node++)
        {
            _nodes.Add(await StartNodeAsync(node, store, null));
        }

        _balancer = await LoadBalancer.StartAsync(_directory.Combine("nginx"), _nodes.Select(n => n.Url));
        _client = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client?.Dispose();
        _balancer?.Dispose();
        _nodes.ForEach(n => n.Dispose());
        if (_throttle is not null)
        {
            await _throttle.DisposeAsync();
        }

        _upstream?.Dispose();
        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task ThirtyColdGetsAcrossTheNodes_OneUpstreamGet_EveryBodyVerifies()
    {
        var blob = await PushBlobAsync(4 * 1024 * 1024);
        _throttle.BytesPerSecond = 8 * 1024 * 1024;
        try
        {
            var bodies = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => GetAsync(_nodes[i % Nodes], blob.Digest)));

            Assert.Multiple(() =>
            {
                Assert.That(bodies.Select(b => b.Status), Is.All.EqualTo(HttpStatusCode.OK), Outputs());
                Assert.That(bodies.Select(b => b.Digest), Is.All.EqualTo(blob.Digest));
                Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(1), "one upstream GET for the whole cluster:\n" + string.Join('\n', _upstream.Requests));
            });
        }
        finally
        {
            _throttle.Reset();
        }
    }

    [Test]
    [Order(2)]
    public async Task Docker_PullsThroughTheLoadBalancer_AndATagMovedUpstreamIsFreshOnEveryNode()
    {
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("dk"), _balancer.Url);
        var pull = await docker.DockerAsync("pull", _image.DockerName);
        Assert.That(pull.Succeeded, Is.True, pull.ToString());

        var moved = TestImage.Single(_image.Repository, _image.Tag, oci: true, TestImage.Busybox(), TestImage.FileLayer("etc/moved.txt", 1000, 92));
        await _upstream.PushAsync(moved, null);
        var digests = new List<string>();
        foreach (var node in _nodes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(node.Url, $"/v2/{_image.Repository}/manifests/{_image.Tag}"));
            request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
            request.Headers.Accept.ParseAdd(MediaTypes.DockerManifest);
            using var response = await _client.SendAsync(request);
            digests.Add(response.Headers.GetValues("Docker-Content-Digest").Single());
        }

        Assert.That(digests, Is.All.EqualTo(moved.Manifest.Digest.ToString()));
    }

    [Test]
    [Order(3)]
    public async Task RedisKilledAndRestarted_PullsGoOnAndNothingWrongIsServed()
    {
        var during = await PushBlobAsync(1024 * 1024);
        var after = await PushBlobAsync(2 * 1024 * 1024);
        var seededBefore = _nodes.Select(node => Seedings(node.Output)).ToArray();
        _redis.Kill();
        try
        {
            var bodies = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => GetAsync(_nodes[i % Nodes], during.Digest)));
            Assert.That(bodies.Select(b => b.Digest), Is.All.EqualTo(during.Digest), "each node on its own, still verified:\n" + Outputs());
            using (var ready = await _client.GetAsync(new Uri(_nodes[0].Url, "/readyz")))
            {
                Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("\"cluster\":{\"status\":\"Degraded\""));
            }
        }
        finally
        {
            await _redis.RestartAsync();
        }

        foreach (var node in _nodes)
        {
            await Eventually.TrueAsync(async () => (await _client.GetStringAsync(new Uri(node.Url, "/readyz"))).Contains("\"cluster\":{\"status\":\"Healthy\"", StringComparison.Ordinal), "every node back on Redis", TimeSpan.FromSeconds(30));
        }

        // Connected is not yet answering: each node has written its records to the new Redis once (the seeder's
        // line), so its next lease is asked of Redis rather than given up on a first failing command.
        for (var i = 0; i < Nodes; i++)
        {
            var node = _nodes[i];
            var before = seededBefore[i];
            await Eventually.TrueAsync(() => Seedings(node.Output) > before, $"node-{i + 1} seeded the restarted Redis", TimeSpan.FromSeconds(30));
        }

        _throttle.BytesPerSecond = 8 * 1024 * 1024;
        try
        {
            var rejoined = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => GetAsync(_nodes[i % Nodes], after.Digest)));
            Assert.Multiple(() =>
            {
                Assert.That(rejoined.Select(b => b.Digest), Is.All.EqualTo(after.Digest), Outputs());
                Assert.That(_upstream.Gets(after.Digest), Is.EqualTo(1), "one fetch for the cluster again");
            });
        }
        finally
        {
            _throttle.Reset();
        }
    }

    [Test]
    [Order(4)]
    public async Task FillerKilledMidFill_AnotherNodeTakesOver_AndItsClientsGetVerifiedBytes()
    {
        var blob = await PushBlobAsync(12 * 1024 * 1024);
        _throttle.BytesPerSecond = 3 * 1024 * 1024;
        var before = _throttle.Forwarded;
        try
        {
            var pulls = Enumerable.Range(0, 9).Select(i => (Node: i % Nodes, Body: GetAsync(_nodes[i % Nodes], blob.Digest))).ToList();

            // The filler is whichever node holds the digest's lease; it is killed once it has bytes on disk.
            var filler = await FillerAsync(blob.Digest);
            await Eventually.TrueAsync(() => _throttle.Forwarded - before > 2 * 1024 * 1024, "the filler has a few MiB", TimeSpan.FromSeconds(30));
            _nodes[filler].Kill();
            TestContext.Out.WriteLine($"{DateTime.UtcNow:O} killed node-{filler + 1} after {_throttle.Forwarded - before} bytes");

            var survivors = await Task.WhenAll(pulls.Where(p => p.Node != filler).Select(p => p.Body));
            Assert.Multiple(() =>
            {
                Assert.That(survivors.Select(b => b.Status), Is.All.EqualTo(HttpStatusCode.OK), Outputs());
                Assert.That(survivors.Select(b => b.Digest), Is.All.EqualTo(blob.Digest), "verified bytes on every surviving node");
                Assert.That(_nodes.Where((_, i) => i != filler).Any(n => n.Output.Contains("took over", StringComparison.Ordinal)), Is.True, "another node took the fill over:\n" + Outputs());
            });
        }
        finally
        {
            _throttle.Reset();
        }
    }

    [Test]
    [Order(5)]
    public async Task TwoNodesNamingRedisInAddrs_OneUpstreamGetForBothNodesClients()
    {
        // distribution 3's list form, with one entry: as much a cluster node as one with redis.addr.
        var addrs = $"addrs:\n    - {_redis.Address}";
        using var fourth = await StartNodeAsync(Nodes + 1, _directory.Combine("store"), null, addrs);
        using var fifth = await StartNodeAsync(Nodes + 2, _directory.Combine("store"), null, addrs);
        var blob = await PushBlobAsync(4 * 1024 * 1024);
        _throttle.BytesPerSecond = 8 * 1024 * 1024;
        try
        {
            var bodies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => GetAsync(i % 2 == 0 ? fourth : fifth, blob.Digest)));
            var ready = await Task.WhenAll(new[] { fourth, fifth }.Select(n => _client.GetStringAsync(new Uri(n.Url, "/readyz"))));

            Assert.Multiple(() =>
            {
                Assert.That(bodies.Select(b => b.Status), Is.All.EqualTo(HttpStatusCode.OK), fourth.Output + "\n----\n" + fifth.Output);
                Assert.That(bodies.Select(b => b.Digest), Is.All.EqualTo(blob.Digest));
                Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(1), "one upstream GET for both nodes' clients:\n" + string.Join('\n', _upstream.Requests));
                Assert.That(ready, Is.All.Contains("\"cluster\":{\"status\":\"Healthy\""), "each node checks its Redis");
            });
        }
        finally
        {
            _throttle.Reset();
        }
    }

    [Test]
    [Order(6)]
    public async Task RangesOnAnotherNodesFill_AnsweredAtOnceFromItsFileOrARangedRequest()
    {
        var blob = await PushBlobAsync(12 * 1024 * 1024);
        _throttle.BytesPerSecond = 512 * 1024;
        var before = _throttle.Forwarded;

        // Two nodes still running (an earlier test killed a filler): the first fills, the second follows.
        var (filler, follower) = (_nodes.First(n => !n.HasExited), _nodes.Last(n => !n.HasExited));
        try
        {
            var full = GetAsync(filler, blob.Digest);
            Assert.That(await FillerAsync(blob.Digest), Is.EqualTo(_nodes.IndexOf(filler)), "the node asked first fills");
            await Eventually.TrueAsync(() => _throttle.Forwarded - before > 256 * 1024, "the filler has bytes on disk", TimeSpan.FromSeconds(30));

            // On the follower: bytes the filler's file has, and bytes the fill reaches in some 20 s.
            var onDisk = await TimedRangeAsync(follower, blob.Digest, 100, 199);
            var ahead = await TimedRangeAsync(follower, blob.Digest, 10_000_000, 10_000_099);
            var metrics = await _client.GetStringAsync(new Uri(follower.Url, "/metrics"));

            Assert.Multiple(() =>
            {
                Assert.That(onDisk.Body, Is.EqualTo(blob.Content[100..200]), Outputs());
                Assert.That(ahead.Body, Is.EqualTo(blob.Content[10_000_000..10_000_100]), Outputs());
                Assert.That(onDisk.Took + ahead.Took, Is.LessThan(TimeSpan.FromSeconds(5)), "the fill takes 24 s");
                Assert.That(full.IsCompleted, Is.False, "the fill still runs");
                Assert.That(metrics, Does.Match("(?m)^mirror_upstream_range_requests_total\\{[^}]*\\} 1( |$)"), "one ranged upstream request, the follower's");
            });
            Assert.That((await full).Digest, Is.EqualTo(blob.Digest), "the full GET still verifies");
        }
        finally
        {
            _throttle.Reset();
        }
    }

    private async Task<(byte[] Body, TimeSpan Took)> TimedRangeAsync(MirrorProcess node, Digest digest, long from, long to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.Url, $"/v2/{Repository}/blobs/{digest}"));
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, to);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var response = await _client.SendAsync(request);
        return (await response.Content.ReadAsByteArrayAsync(), clock.Elapsed);
    }

    /// <summary>Starts node <paramref name="node"/>; <paramref name="redis"/> is its <c>redis</c> section's Redis key, <c>addr</c> unless told.</summary>
    private async Task<MirrorProcess> StartNodeAsync(int node, string store, int? port, string? redis = null) =>
        await MirrorProcess.StartAsync(
            _directory.Combine($"node{node}"),
            _throttle.Url,
            extraYaml: $"redis:\n  {redis ?? $"addr: {_redis.Address}"}\nmirror:\n  cluster:\n    node: node-{node}",
            port: port,
            store: store,
            environment: new Dictionary<string, string?> { ["REGISTRY_LOG_LEVEL"] = Environment.GetEnvironmentVariable("MIRROR_TEST_CLUSTER_LOG") ?? "info" });

    private async Task<ImageBlob> PushBlobAsync(int size)
    {
        var blob = new ImageBlob(RandomNumberGenerator.GetBytes(size), "application/octet-stream");
        await _upstream.PushBlobAsync(Repository, blob);
        return blob;
    }

    /// <summary>GETs the blob from one node and hashes what came: its status and digest (or none, for a cut body).</summary>
    private async Task<(HttpStatusCode Status, Digest? Digest)> GetAsync(MirrorProcess node, Digest digest)
    {
        // A body that stalls is a failure the test reports, not a test that hangs.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            using var response = await _client.GetAsync(new Uri(node.Url, $"/v2/{Repository}/blobs/{digest}"), HttpCompletionOption.ResponseHeadersRead, bound.Token);
            var body = await response.Content.ReadAsByteArrayAsync(bound.Token);
            return (response.StatusCode, Digest.Compute(body));
        }
        catch (HttpRequestException)
        {
            return (HttpStatusCode.BadGateway, null);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            return (HttpStatusCode.GatewayTimeout, null);
        }
    }

    private string Outputs() => string.Join("\n----\n", _nodes.Select(n => n.Output));

    private async Task<int> FillerAsync(Digest digest)
    {
        var holder = -1;
        await Eventually.TrueAsync(
            () =>
            {
                holder = _nodes.FindIndex(n => n.Output.Contains($"won the fill of {digest}", StringComparison.Ordinal));
                return holder >= 0;
            },
            "a node holds the fill's lease",
            TimeSpan.FromSeconds(30));
        return holder;
    }

    private static int Seedings(string output) =>
        output.Split('\n').Count(line => line.Contains("Redis's records seeded", StringComparison.Ordinal));
}
