using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using StackExchange.Redis;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A cluster node's records on a real redis-server: leases and records never share a key, and a Redis that
/// comes back empty is seeded again from the node's own journals.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
internal sealed class ClusterRecordsTests
{
    private const string Repository = "library/records";

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private TestDirectory _directory = null!;
    private FakeRegistry _hub = null!;
    private MirrorFactory _node = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.Address + ",allowAdmin=true");
        _hub = new FakeRegistry();
        _node = new MirrorFactory(_hub.Url, _directory.Combine("store"), new Dictionary<string, string?>
        {
            ["redis:addr"] = _redis.Address,
            ["mirror:cluster:node"] = "node-1",
        });
    }

    [TearDown]
    public async Task StopAsync()
    {
        _node?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null!;
        }

        _hub?.Dispose();
        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    public async Task TagCheck_OfATagAlreadyRecorded_TakesItsLeaseWithoutARedisError()
    {
        var manifest = AddImage("1.0");
        using var client = new HttpClient { BaseAddress = _node.Address };

        // The first check records the tag in Redis; the second takes the tag's lease again.
        using var first = await GetManifestAsync(client, "1.0");
        using var second = await GetManifestAsync(client, "1.0");

        Assert.Multiple(() =>
        {
            Assert.That(second.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(manifest.ToString()));
            Assert.That(_node.Logs.Lines.Where(l => l.Contains("goes on alone", StringComparison.Ordinal)), Is.Empty, "no Redis error: the node stays on the cluster");
            Assert.That(_hub.Count("HEAD", $"/v2/{Repository}/manifests/1.0"), Is.EqualTo(2), "each request checked the tag");
        });
    }

    [Test]
    public async Task FlushAll_TheRecordsComeBackFromTheNodesJournals()
    {
        var manifest = AddImage("2.0");
        _hub.Server.Given(Request.Create().WithPath($"/v2/{Repository}/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody($"{{\"name\":\"{Repository}\",\"tags\":[\"2.0\"]}}"));
        using var client = new HttpClient { BaseAddress = _node.Address };
        (await GetManifestAsync(client, "2.0")).Dispose();
        (await client.GetAsync($"/v2/{Repository}/tags/list")).Dispose();
        var database = _connection.GetDatabase();
        await Eventually.TrueAsync(async () => await RecordsAsync(database, manifest) == (true, true, true, true), "the node's records in Redis");

        await _connection.GetServers().Single().FlushAllDatabasesAsync();
        Assert.That(await RecordsAsync(database, manifest), Is.EqualTo((false, false, false, false)), "flushed");

        // The node reads the records' generation every 5 s, and logs once it has written its journals back.
        await Eventually.TrueAsync(() => _node.Logs.Lines.Any(l => l.Contains("seeded from this node's journals (Redis lost its records)", StringComparison.Ordinal)), "the node seeded Redis again", TimeSpan.FromSeconds(30));
        Assert.That(await RecordsAsync(database, manifest), Is.EqualTo((true, true, true, true)), "the tag, its tag list, link and proof back in Redis");
    }

    [Test]
    public async Task RedisAway_ATagIsServedAsTheNodesJournalKnowsIt_WhileTheUpstreamIsDown()
    {
        var manifest = AddImage("3.0");
        using var client = new HttpClient { BaseAddress = _node.Address };
        (await GetManifestAsync(client, "3.0")).Dispose();
        _redis.Kill();
        _hub.Server.Stop();

        using var stale = await GetManifestAsync(client, "3.0");

        Assert.Multiple(() =>
        {
            Assert.That(stale.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(manifest.ToString()));
            Assert.That(stale.Headers.GetValues("X-Cache").Single(), Is.EqualTo("STALE"), "the tag as this node last knew it, its registry's proof from its own memory");
        });
    }

    /// <summary>Whether Redis holds the tag <c>2.0</c>, the repository's tag list, the repository's link to <paramref name="manifest"/> and the first upstream's proof of it.</summary>
    private static async Task<(bool Tag, bool List, bool Link, bool Proof)> RecordsAsync(IDatabase database, Digest manifest) =>
        (await database.HashExistsAsync("mirror:record:tags", $"{Repository}:2.0"),
            await database.HashLengthAsync("mirror:record:taglists") == 1,
            await database.SetContainsAsync("mirror:record:links", $"{Repository} {manifest}"),
            await database.SetContainsAsync("mirror:record:proofs", $"{manifest} -"));

    private Digest AddImage(string tag)
    {
        var layer = _hub.AddBlob(Repository, RandomNumberGenerator.GetBytes(1024));
        var config = _hub.AddBlob(Repository, Manifests.Bytes("{}"));
        return _hub.AddManifest(Repository, tag, Manifests.Image(config, layer), MediaTypes.DockerManifest);
    }

    private static async Task<HttpResponseMessage> GetManifestAsync(HttpClient client, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(MediaTypes.DockerManifest);
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response;
    }
}
