using System.Net;
using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Proofs in a cluster, on a real redis-server: two nodes on one store, docker.io (the <c>proxy</c>
/// upstream) and ghcr.io. What one registry proved on one node holds on the other; a registry that only
/// claims a digest the store holds is fetched from and checked on any node, and the cluster's fill of the
/// stored copy is never taken as its proof.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
internal sealed class ClusterProofTests
{
    private const string Private = "private/app";
    private const string Claimed = "org/app";
    private const string Ghcr = "ghcr.io";

    private readonly byte[] _layer = RandomNumberGenerator.GetBytes(64 * 1024);
    private RedisServer _redis = null!;
    private TestDirectory _directory = null!;
    private FakeRegistry _hub = null!;
    private FakeRegistry _ghcr = null!;
    private MirrorFactory _first = null!;
    private MirrorFactory _second = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _redis = await RedisServer.StartAsync();
        _hub = new FakeRegistry();
        _ghcr = new FakeRegistry();
        _first = Node("node-1");
        _second = Node("node-2");
    }

    [TearDown]
    public void Stop()
    {
        _first?.Dispose();
        _second?.Dispose();
        _ghcr?.Dispose();
        _hub?.Dispose();
        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    public async Task Blob_ProvenByARegistryOnOneNode_IsAHitThroughItOnTheOther()
    {
        var digest = _hub.AddBlob(Private, _layer);
        using var first = new HttpClient { BaseAddress = _first.Address };
        using var second = new HttpClient { BaseAddress = _second.Address };
        Assert.That(await first.GetByteArrayAsync($"/v2/{Private}/blobs/{digest}"), Is.EqualTo(_layer));
        await _first.ReadCommittedBlobAsync(digest);

        using var hit = await second.GetAsync($"/v2/{Private}/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(await hit.Content.ReadAsByteArrayAsync(), Is.EqualTo(_layer));
            Assert.That(hit.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(_hub.Count("GET", $"/v2/{Private}/blobs/"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Blob_ClaimedByAnotherRegistryOnTheOtherNode_IsFetchedFromItThereAndNotServed()
    {
        var digest = _hub.AddBlob(Private, _layer);
        using var first = new HttpClient { BaseAddress = _first.Address };
        using var second = new HttpClient { BaseAddress = _second.Address };
        Assert.That(await first.GetByteArrayAsync($"/v2/{Private}/blobs/{digest}"), Is.EqualTo(_layer));
        await _first.ReadCommittedBlobAsync(digest);
        _ghcr.Claim($"/v2/{Claimed}/blobs/{digest}", digest, _layer.Length, MediaTypes.OctetStream, RandomNumberGenerator.GetBytes(_layer.Length));

        var served = await TryGetBytesAsync(second, $"/v2/{Ghcr}/{Claimed}/blobs/{digest}");

        Assert.Multiple(() =>
        {
            Assert.That(served is not null && served.AsSpan().SequenceEqual(_layer), Is.False, "the stored copy is not served on ghcr.io's word");
            Assert.That(_ghcr.Count("GET", $"/v2/{Claimed}/blobs/{digest}"), Is.EqualTo(1), "fetched from ghcr.io, to check");
        });
    }

    [Test]
    public async Task Blob_SharedByTwoRegistries_IsFetchedOnceFromEachForTheWholeCluster()
    {
        var digest = _hub.AddBlob(Private, _layer);
        _ghcr.AddBlob(Claimed, _layer);
        using var first = new HttpClient { BaseAddress = _first.Address };
        using var second = new HttpClient { BaseAddress = _second.Address };
        Assert.That(await first.GetByteArrayAsync($"/v2/{Private}/blobs/{digest}"), Is.EqualTo(_layer));
        await _first.ReadCommittedBlobAsync(digest);

        Assert.That(await second.GetByteArrayAsync($"/v2/{Ghcr}/{Claimed}/blobs/{digest}"), Is.EqualTo(_layer));
        using var hit = await first.GetAsync($"/v2/{Ghcr}/{Claimed}/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(await hit.Content.ReadAsByteArrayAsync(), Is.EqualTo(_layer));
            Assert.That(hit.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"), "ghcr.io's proof on node-2 holds on node-1");
            Assert.That(_ghcr.Count("GET", $"/v2/{Claimed}/blobs/{digest}"), Is.EqualTo(1));
            Assert.That(_hub.Count("GET", $"/v2/{Private}/blobs/{digest}"), Is.EqualTo(1));
        });
    }

    private static async Task<byte[]?> TryGetBytesAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return null;
        }
    }

    private MirrorFactory Node(string name) =>
        new(_hub.Url, _directory.Combine("store"), new Dictionary<string, string?>
        {
            ["redis:addr"] = _redis.Address,
            ["mirror:cluster:node"] = name,
            [$"mirror:upstreams:{Ghcr}:remoteurl"] = _ghcr.Url,
        });
}
