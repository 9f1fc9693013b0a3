using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Cluster;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Tests.EndToEnd;
using Mirror.Tests.Support;
using StackExchange.Redis;

namespace Mirror.Tests.Cache;

/// <summary>
/// A cluster's tags on a real redis-server: Redis keeps each tag's latest check whichever node writes last,
/// every node finds it, and a node's own journal answers while Redis cannot be asked.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
internal sealed class ClusterTagsTests
{
    private static readonly RepositoryKey Repository = RepositoryKey.FromValue("library/app")!;
    private static readonly Digest Older = Digest.Compute("checked first"u8);
    private static readonly Digest Newer = Digest.Compute("checked later"u8);
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

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
    public async Task RememberAsync_AnOlderCheckWrittenAfterANewer_EveryNodeFindsTheNewer()
    {
        var early = Node("node-1", new FakeTimeProvider(Start));
        var late = Node("node-2", new FakeTimeProvider(Start.AddMinutes(1)));
        var third = Node("node-3", new FakeTimeProvider(Start));

        // node-1's clock is behind: its check of the same moment comes after node-2's, and is older.
        await late.RememberAsync(Repository, "1.0", Newer, MediaTypes.OciManifest, 100, CancellationToken.None);
        await early.RememberAsync(Repository, "1.0", Older, MediaTypes.OciManifest, 100, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((await third.TryFindAsync(Repository, "1.0", CancellationToken.None))?.Digest, Is.EqualTo(Newer.ToString()), "Redis kept the later check");
            Assert.That((await early.TryFindAsync(Repository, "1.0", CancellationToken.None))?.Digest, Is.EqualTo(Newer.ToString()), "the node that wrote the older one learns the later");
        });
    }

    [Test]
    public async Task TryFindAsync_RedisAway_AnswersFromTheNodesJournal()
    {
        var tags = Node("node-1", new FakeTimeProvider(Start));
        await tags.RememberAsync(Repository, "1.0", Newer, MediaTypes.OciManifest, 100, CancellationToken.None);
        _redis.Kill();

        var found = await tags.TryFindAsync(Repository, "1.0", CancellationToken.None);

        Assert.That(found?.Digest, Is.EqualTo(Newer.ToString()));
    }

    /// <summary>A node's tags: its own journal, in its own part of one store's metadata, beside the shared Redis.</summary>
    private ClusterTags Node(string name, TimeProvider time)
    {
        var layout = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = _directory.Combine("store"), Node = name }));
        return new ClusterTags(new TagJournal(layout, time, NullLogger<TagJournal>.Instance), new RedisRecords(_connection, TestMetrics.Create()));
    }
}
