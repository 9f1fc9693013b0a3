using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Cluster;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.EndToEnd;
using Mirror.Tests.Support;
using StackExchange.Redis;

namespace Mirror.Tests.Cache;

/// <summary>
/// A cluster's proofs on a real redis-server: recorded in Redis, learnt by every node and then answered from
/// the node's own memory, and failing closed when Redis cannot be asked.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
internal sealed class ClusterProofsTests
{
    private static readonly Digest Layer = Digest.Compute("a layer proven on one node"u8);

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private TestDirectory _directory = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { _redis.Address }, AbortOnConnectFail = false, BacklogPolicy = BacklogPolicy.FailFast });
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    public async Task CheckAsync_ProvenOnAnotherNode_IsProvenHereAndRemembered()
    {
        var proving = Node("node-1");
        var asking = Node("node-2");

        await proving.ProveAsync("ghcr.io", Layer, CancellationToken.None);
        var first = await asking.CheckAsync("ghcr.io", Layer, CancellationToken.None);
        var another = await asking.CheckAsync(string.Empty, Layer, CancellationToken.None);
        var nobodys = await asking.CheckAsync(string.Empty, Digest.Compute("nobody's"u8), CancellationToken.None);
        _redis.Kill();
        var second = await asking.CheckAsync("ghcr.io", Layer, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(ProofStatus.Proven));
            Assert.That(second, Is.EqualTo(ProofStatus.Proven), "a proof once found is answered from the node's own memory");
            Assert.That(another, Is.EqualTo(ProofStatus.Unproven), "another registry proved it");
            Assert.That(nobodys, Is.EqualTo(ProofStatus.Unattributed));
        });
    }

    [Test]
    public async Task CheckAsync_RedisUnavailable_IsUnprovenUnlessKnownHere()
    {
        var proofs = Node("node-1");
        await proofs.ProveAsync(string.Empty, Layer, CancellationToken.None);
        _redis.Kill();

        Assert.Multiple(async () =>
        {
            Assert.That(await proofs.CheckAsync(string.Empty, Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(await proofs.CheckAsync(string.Empty, Digest.Compute("unknown here"u8), CancellationToken.None), Is.EqualTo(ProofStatus.Unproven), "not taken as content from before proofs");
        });
    }

    /// <summary>A node's proofs: its own journal, in its own part of one store's metadata, beside the shared Redis.</summary>
    private ClusterProofs Node(string name)
    {
        var layout = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = _directory.Combine("store"), Node = name }));
        var journal = new ProofJournal(layout, NullLogger<ProofJournal>.Instance);
        var proofs = new ClusterProofs(journal, new RedisRecords(_connection, TestMetrics.Create()));
        proofs.Load();
        return proofs;
    }
}
