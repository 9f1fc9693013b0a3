using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// A fill in a cluster against a scripted coordinator: who holds the fill's lease, and what the lease names,
/// is the test's to say, so the order in which fillers come and go is exact.
/// </summary>
[TestFixture]
internal sealed class ClusterFillTests
{
    private static readonly RepositoryKey Repository = RepositoryKey.Of(RepositoryName.Parse("library/busybox"));

    private TestDirectory _directory = null!;
    private TestStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _store = new TestStore(_directory.Path, new EvictionOptions(), TimeProvider.System);
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Test]
    public async Task Fill_NextFillerLeavesWithoutAFile_TakesOverTheFileReadersFollow()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = Digest.Compute(content);
        const int Half = 40_000;

        // Node A fills and dies with 40 000 bytes in its temp file; node C takes the lease next and leaves
        // before it names a file of its own; then this node wins the lease.
        var deadFile = _store.Layout.NewTempPath();
        File.WriteAllBytes(deadFile, content[..Half]);
        var nodeA = ClusterFill.LeaseValue("node-a", deadFile, content.Length, null);
        var cluster = new ScriptedCoordinator(nodeA, "node-c||", null) { Holder = nodeA };
        var source = new RangeSource(content);
        using var coordinator = Coordinator(cluster);
        using var reader = coordinator.Join(source, Repository, digest, evenIfStored: false, out _)!;

        var first = await ReadAsync(reader, 0, Half, content.Length);
        cluster.Holder = null;
        await Eventually.TrueAsync(() => cluster.Acquires >= 2, "this node asked for the lease again, and found node C holding it");
        cluster.Holder = null;
        var rest = await ReadAsync(reader, Half, content.Length, content.Length).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(first.Concat(rest), Is.EqualTo(content), "the client gets the blob, each byte once");
            Assert.That(source.Offsets, Is.EqualTo(new[] { (long)Half }), "node A's bytes are taken over, the rest asked for with a Range");
            Assert.That(_store.ContainsBlob(digest), Is.True);
        });
    }

    /// <summary>Reads from <paramref name="from"/> to <paramref name="to"/> of a response ending at <paramref name="end"/>; fails the test if the fill fails.</summary>
    private static async Task<byte[]> ReadAsync(FillReader reader, long from, long to, long end)
    {
        using var body = new MemoryStream();
        var buffer = new byte[4096];
        while (from + body.Length < to)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, to - from - body.Length)), from + body.Length, end, CancellationToken.None);
            Assert.That(read.Failed, Is.False, read.Reason);
            Assert.That(read.Count, Is.GreaterThan(0), "the response ended short");
            body.Write(buffer, 0, read.Count);
        }

        return body.ToArray();
    }

    private BlobFillCoordinator Coordinator(IClusterCoordinator cluster) =>
        new(_store.Blobs, _store.Links, _store.Provenance, Options.Create(new FillOptions()), TimeProvider.System, TestMetrics.Create(), cluster, new ClusterFillRunner(), new FillPeers(Options.Create(new FillPeerOptions()), new Mirror.Cache.Buckets.NoBucket(), TimeProvider.System), NullLogger<BlobFill>.Instance);

    /// <summary>
    /// A coordinator whose fill lease is held by <see cref="Holder"/> (read by followers); each ask for the
    /// lease first makes the next scripted value the holder, then wins the lease when nobody holds it.
    /// </summary>
    private sealed class ScriptedCoordinator(params string?[] holders) : IClusterCoordinator
    {
        private readonly Queue<string?> _holders = new(holders);
        private volatile string? _holder;
        private int _acquires;

        public string? Holder
        {
            get => _holder;
            set => _holder = value;
        }

        public int Acquires => Volatile.Read(ref _acquires);

        public string Node => "node-b";

        public Task<LeaseAttempt> TryAcquireAsync(string name, string value, TimeSpan ttl, CancellationToken cancellationToken)
        {
            lock (_holders)
            {
                if (_holders.TryDequeue(out var next))
                {
                    Holder = next;
                }
            }

            Interlocked.Increment(ref _acquires);
            return Task.FromResult(Holder is { } holder ? LeaseAttempt.Lost(holder) : LeaseAttempt.Won(new Lease()));
        }

        public Task<string?> ReadAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Holder);

        private sealed class Lease : IClusterLease
        {
            public CancellationToken Lost => CancellationToken.None;

            public Task SetValueAsync(string value, CancellationToken cancellationToken) => Task.CompletedTask;

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>An upstream that answers the blob from any offset, and logs each offset asked for.</summary>
    private sealed class RangeSource(byte[] content) : IBlobSource
    {
        private readonly List<long> _offsets = [];

        public IReadOnlyList<long> Offsets
        {
            get
            {
                lock (_offsets)
                {
                    return _offsets.ToList();
                }
            }
        }

        public string Name => "docker.io";

        public TimeSpan FirstByteTimeout => TimeSpan.FromSeconds(30);

        public Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken)
        {
            lock (_offsets)
            {
                _offsets.Add(offset);
            }

            var body = new UpstreamBody(new MemoryStream(content, (int)offset, content.Length - (int)offset), TimeSpan.FromMinutes(1), TimeProvider.System);
            return Task.FromResult(UpstreamBlob.Found(body, offset, content.Length, null));
        }

        /// <summary>No client asks for a range in these tests: a fill never asks for one.</summary>
        public Task<UpstreamBlob> OpenBlobRangeAsync(RepositoryName repository, Digest digest, long start, long last, CancellationToken cancellationToken) =>
            throw new NotSupportedException("a fill opens the blob from an offset, never a range");

        public Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
            Task.FromResult(new UpstreamBlobHead(SourceStatus.Found, content.Length, null));
    }
}
