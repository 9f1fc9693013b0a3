using System.Text.Json;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Three mirror processes on one store and a real redis-server, each configured to watch the same tag:
/// exactly one node watches (it holds the watcher's lease), every node names that one on its status page,
/// and every node sees the image it fetched in the shared store.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class WatchClusterEndToEndTests
{
    private const int Nodes = 3;
    private const string Watching = "watches the images of mirror.watch";

    private readonly TestImage _image = TestImage.Multi("library/clusterwatch", "1", oci: true, TestImage.FileLayer("cluster/watched.bin", 50_000, 31));
    private readonly List<MirrorProcess> _nodes = [];

    private TestDirectory _directory = null!;
    private RedisServer _redis = null!;
    private UpstreamRegistry _upstream = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _redis = await RedisServer.StartAsync();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), null);
        await _upstream.PushAsync(_image, null);
        var store = _directory.Combine("store");
        for (var node = 1; node <= Nodes; node++)
        {
            _nodes.Add(await MirrorProcess.StartAsync(
                _directory.Combine($"node{node}"),
                _upstream.Url,
                store: store,
                extraYaml: $"""
                    redis:
                      addr: {_redis.Address}
                    mirror:
                      cluster:
                        node: node-{node}
                      watch:
                        - image: clusterwatch:1
                          interval: 1s
                    """));
        }
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _nodes.ForEach(n => n.Dispose());
        _upstream?.Dispose();
        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    public async Task ThreeNodesWatchingOneTag_ExactlyOneWatches_EveryNodeNamesItAndSeesTheImageStored()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var watches = await Task.WhenAll(_nodes.Select(node => Eventually.ValueAsync(
            async () => JsonDocument.Parse(await client.GetStringAsync(new Uri(node.Url, "/status.json"))).RootElement.GetProperty("watch").Clone(),
            watch => watch.GetProperty("watcher").ValueKind == JsonValueKind.String && watch.GetProperty("tags")[0].GetProperty("inStore").GetBoolean(),
            $"{node.Url} names the watching node and sees the image stored",
            timeout: TimeSpan.FromSeconds(60),
            seen: () => node.Output)));
        var heads = _upstream.Requests.Count(r => r == "HEAD /v2/library/clusterwatch/manifests/1");

        // A while later, still one: no second node took the lease meanwhile.
        await Eventually.TrueAsync(() => _upstream.Requests.Count(r => r == "HEAD /v2/library/clusterwatch/manifests/1") >= heads + 3, "three more rounds of the watcher");
        var watching = _nodes.Where(n => n.Output.Contains(Watching, StringComparison.Ordinal)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(watching, Has.Count.EqualTo(1), string.Join("\n----\n", _nodes.Select(n => n.Output)));
            Assert.That(watches.Select(w => w.GetProperty("watcher").GetString()).Distinct(), Is.EqualTo(new[] { $"node-{_nodes.IndexOf(watching.FirstOrDefault()!) + 1}" }));
            Assert.That(_upstream.Requests.Count(r => r.StartsWith("GET /v2/library/clusterwatch/manifests/", StringComparison.Ordinal)), Is.EqualTo(2), "the index and the mirror's own platform, fetched once for the cluster");
        });
    }
}
