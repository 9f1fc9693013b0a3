using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;
using S3Bucket = Mirror.Cache.Buckets.S3Bucket;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The sweep of a bucket on radosgw: objects no index of the sweeping node holds (another node's) expire by
/// the cluster's last use of them and go least recently used first over the size budget, those it holds are
/// its own sweep's; and an object written again while a sweep deletes it (another node's refill) is kept.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class S3SweepTests() : RadosGatewayFixture("sweep")
{
    private S3Bucket _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _store = new S3Bucket(Options.Create(S3StoreTests.Configured(Gateway, BucketName)), TimeProvider.System, NullLogger<S3Bucket>.Instance);
    }

    [TearDown]
    public void DisposeBucket() => _store.Dispose();

    [Test]
    public async Task SweepAsync_ObjectsOnlyAnotherNodeKnows_ExpireByTheClustersLastUse()
    {
        var eviction = new EvictionOptions { Ttl = TimeSpan.FromHours(1) };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        using var node = new TestStore(Workspace.Combine(BucketName, "node"), eviction, time, bucket: _store);
        var unused = await PutBlobAsync(1000);
        var usedElsewhere = await PutBlobAsync(1000);
        var held = await CommitAsync(node, 1000);
        var uses = new KnownUses { [usedElsewhere] = time.GetUtcNow().AddMinutes(-10).UtcTicks };

        await Sweeper(node, uses, eviction, time).SweepAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await StatusOfAsync(unused), Is.EqualTo(HttpStatusCode.NotFound), "not used by any node within proxy.ttl");
            Assert.That(await StatusOfAsync(usedElsewhere), Is.EqualTo(HttpStatusCode.OK), "used on another node 10 minutes ago");
            Assert.That(await StatusOfAsync(held), Is.EqualTo(HttpStatusCode.OK), "this node's own content is its own sweep's");
            Assert.That(uses.Forgotten, Is.EqualTo(new[] { unused }));
        });
    }

    [Test]
    public async Task SweepAsync_BucketOverTheBudget_RemovesWhatNoNodeUsedLongestDownToTheLowWatermark()
    {
        var eviction = new EvictionOptions { MaxSize = 2500, LowWatermark = 0.9 };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var node = new TestStore(Workspace.Combine(BucketName, "node"), eviction, time, bucket: _store);
        var older = await PutBlobAsync(1000);
        var newer = await PutBlobAsync(1000);
        await CommitAsync(node, 1000);
        var uses = new KnownUses { [older] = time.GetUtcNow().AddDays(1).UtcTicks - TimeSpan.TicksPerHour, [newer] = time.GetUtcNow().AddDays(1).UtcTicks };

        await Sweeper(node, uses, eviction, time).SweepAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await StatusOfAsync(older), Is.EqualTo(HttpStatusCode.NotFound), "3000 bytes over 2500: the least recently used goes");
            Assert.That(await StatusOfAsync(newer), Is.EqualTo(HttpStatusCode.OK), "2000 bytes are under the low watermark (2250)");
        });
    }

    [Test]
    public async Task DeleteAsync_ObjectRefilledWhileTheSweepWaitsToDeleteIt_KeepsTheNewObject()
    {
        var guard = new LocalObjectGuard();
        var deletes = new ObjectDeletes(_store, guard, NullLogger<ObjectDeletes>.Instance);
        var content = RandomNumberGenerator.GetBytes(2000);
        var refilled = await PutBlobAsync(content);
        var control = await PutBlobAsync(2000);
        var written = (await Client.GetObjectMetadataAsync(BucketName, _store.KeyOf(refilled, manifest: false))).LastModified!.Value.ToUniversalTime();

        // The sweep judges both a second later (their last use), while a fill of the first completes again.
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerSecond > written.Ticks / TimeSpan.TicksPerSecond + 1, "a second has passed since the write");
        var judged = ObjectDeletes.WrittenBy(DateTimeOffset.UtcNow);
        var filling = await guard.HoldAsync(refilled, TimeSpan.FromSeconds(5), CancellationToken.None);
        var deleting = deletes.DeleteAsync(refilled, manifest: false, judged, CancellationToken.None);
        await PutBlobAsync(content);
        var waited = !deleting.IsCompleted;
        await filling.DisposeAsync();
        var deleted = await deleting;
        var controlDeleted = await deletes.DeleteAsync(control, manifest: false, judged, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(filling.Held && waited, Is.True, "the delete waited for the fill's completion");
            Assert.That(deleted, Is.False);
            Assert.That(await StatusOfAsync(refilled), Is.EqualTo(HttpStatusCode.OK), "the refill's object is kept");
            Assert.That(controlDeleted, Is.True);
            Assert.That(await StatusOfAsync(control), Is.EqualTo(HttpStatusCode.NotFound), "an object not written again is deleted");
        });
    }

    private BucketSweeper Sweeper(TestStore node, KnownUses uses, EvictionOptions eviction, TimeProvider time) =>
        new(node.Index, _store, node.Deletes, node.Pins, uses, Options.Create(eviction), time, TestMetrics.Create(), NullLogger<BucketSweeper>.Instance);

    private Task<Digest> PutBlobAsync(int size) => PutBlobAsync(RandomNumberGenerator.GetBytes(size));

    private async Task<Digest> PutBlobAsync(byte[] content)
    {
        var digest = Digest.Compute(content);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = BucketName, Key = _store.KeyOf(digest, manifest: false), InputStream = new MemoryStream(content) });
        return digest;
    }

    private static async Task<Digest> CommitAsync(TestStore node, int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var digest = Digest.Compute(content);
        using var writer = node.Blobs.TryCreateWriter(digest)!;
        writer.Hash(content);
        writer.Append(content);
        Assert.That(writer.Verify(size), Is.EqualTo(CommitResult.Committed));
        Assert.That(await node.Blobs.CommitAsync(writer, CancellationToken.None), Is.EqualTo(CommitResult.Committed));
        return digest;
    }

    private async Task<HttpStatusCode> StatusOfAsync(Digest digest)
    {
        try
        {
            return (await Client.GetObjectMetadataAsync(BucketName, _store.KeyOf(digest, manifest: false))).HttpStatusCode;
        }
        catch (AmazonS3Exception ex)
        {
            return ex.StatusCode;
        }
    }

    /// <summary>The cluster's uses as the sweeping node merged them: a last use per blob, and what the sweep had forgotten.</summary>
    private sealed class KnownUses : Dictionary<Digest, long>, IUseLog
    {
        public List<Digest> Forgotten { get; } = [];

        public void Replay(StoreIndex index)
        {
        }

        public void Save(StoreIndex index)
        {
        }

        public void CatchUp(StoreIndex index)
        {
        }

        public long LastUseOf(ContentKind kind, Digest digest) => TryGetValue(digest, out var ticks) ? ticks : 0;

        public void Forget(IReadOnlyList<EvictedContent> removed) => Forgotten.AddRange(removed.Select(r => r.Digest));
    }
}
