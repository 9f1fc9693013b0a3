using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Cluster;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// Two nodes' indexes of the same content with their uses exchanged as a cluster exchanges them: the
/// sweeping node keeps what another node pulled and removes what no node did, and the exchange forgets
/// what was removed.
/// </summary>
[TestFixture]
internal sealed class ClusterUseLogTests
{
    private readonly EvictionOptions _options = new() { Ttl = TimeSpan.FromHours(168) };
    private TestDirectory _directory = null!;
    private FakeTimeProvider _time = null!;
    private SortedSetExchange _exchange = null!;
    private TestStore _sweeper = null!;
    private TestStore _other = null!;
    private ClusterUseLog _sweeperUses = null!;
    private ClusterUseLog _otherUses = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _exchange = new SortedSetExchange();
        _sweeper = new TestStore(_directory.Combine("sweeper"), _options, _time);
        _other = new TestStore(_directory.Combine("other"), _options, _time);
        _sweeperUses = new ClusterUseLog(_sweeper.Journal, _exchange, TestMetrics.Create(), _time);
        _otherUses = new ClusterUseLog(_other.Journal, _exchange, TestMetrics.Create(), _time);
    }

    [TearDown]
    public void TearDown()
    {
        _sweeper.Dispose();
        _other.Dispose();
        _directory.Dispose();
    }

    [Test]
    public async Task Sweeper_KeepsWhatAnotherNodePulled_RemovesWhatNoNodeDid_AndTheClusterForgetsIt()
    {
        var pulledElsewhere = AddToBoth(1000);
        var pulledNowhere = AddToBoth(2000);
        _sweeperUses.Save(_sweeper.Index);
        _otherUses.Save(_other.Index);
        _time.Advance(TimeSpan.FromHours(100));
        _other.Blobs.Serve(_other.Blobs.TryOpen(pulledElsewhere)!).Dispose();
        _otherUses.Save(_other.Index);
        _time.Advance(TimeSpan.FromHours(100));
        var evictor = new StoreEvictor(_sweeper.Index, _sweeper.Blobs, _sweeper.Manifests, _sweeper.Pins, Options.Create(_options), _time, TestMetrics.Create(), NullLogger<StoreEvictor>.Instance);
        using var sweeper = new StoreSweeper(evictor, new BucketSweeper(_sweeper.Index, new Mirror.Cache.Buckets.NoBucket(), _sweeper.Deletes, _sweeper.Pins, _sweeperUses, Options.Create(_options), _time, TestMetrics.Create(), NullLogger<BucketSweeper>.Instance), _sweeper.Pins, _sweeper.Index, _sweeperUses, new HeldSweepLease(), Options.Create(_options), _time, NullLogger<StoreSweeper>.Instance);

        // The first sweep runs once the index is loaded; the fact awaited is the cluster being told what went.
        _sweeper.Index.MarkLoaded(null);
        await sweeper.StartAsync(CancellationToken.None);
        await _exchange.Forgotten.WaitAsync(TimeSpan.FromSeconds(30));
        await sweeper.StopAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_sweeper.ContainsBlob(pulledElsewhere), Is.True, "200 hours after this node's last use, 100 after the other node's");
            Assert.That(_sweeper.ContainsBlob(pulledNowhere), Is.False);
            Assert.That(_exchange.Members, Is.EquivalentTo(new[] { "b " + pulledElsewhere }));
        });
    }

    private Digest AddToBoth(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        _other.CommitBlob(content);
        return _sweeper.CommitBlob(content);
    }

    /// <summary>What Redis's sorted set does for the exchange (<c>ZADD GT</c>, a range by score, a conditional <c>ZREM</c>), in memory.</summary>
    private sealed class SortedSetExchange : IUseExchange
    {
        private readonly Dictionary<string, long> _scores = [];
        private readonly TaskCompletionSource _forgotten = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IEnumerable<string> Members => _scores.Keys;

        /// <summary>Completes when members were first forgotten.</summary>
        public Task Forgotten => _forgotten.Task;

        public Task SaveAsync(IReadOnlyList<KeyValuePair<string, long>> uses, CancellationToken cancellationToken)
        {
            foreach (var (member, ticks) in uses)
            {
                _scores[member] = Math.Max(ticks, _scores.GetValueOrDefault(member));
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<KeyValuePair<string, long>>> SinceAsync(long ticks, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<KeyValuePair<string, long>>>(_scores.Where(s => s.Value > ticks).ToList());

        public Task ForgetAsync(IReadOnlyList<KeyValuePair<string, long>> members, CancellationToken cancellationToken)
        {
            foreach (var member in members.Where(m => _scores.GetValueOrDefault(m.Key) <= m.Value))
            {
                _scores.Remove(member.Key);
            }

            _forgotten.TrySetResult();
            return Task.CompletedTask;
        }
    }

    /// <summary>A cluster in which this node always holds the sweeper's lease.</summary>
    private sealed class HeldSweepLease : ISweepLease
    {
        public Task<bool> TryHoldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task ReleaseAsync() => Task.CompletedTask;
    }
}
