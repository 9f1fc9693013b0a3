using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class BlobFillTests
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
    public async Task Read_BeforeTheBlobVerified_HoldsBackTheLastByte()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var source = new PipeSource(content.Length);
        using var coordinator = Coordinator(source);
        using var reader = coordinator.Join(source, Repository, Digest.Compute(content), evenIfStored: false, out _)!;
        await source.Pipe.Writer.WriteAsync(content);

        var received = await ReadAsync(reader, content.Length, stopAt: content.Length - 1);
        await Eventually.TrueAsync(() => reader.Written == content.Length, "the fill has every byte in its file");

        // Every byte is in the file, none verified: the last one is not to be had yet, however long one waits.
        var lastArrivedBeforeVerification = !await IsHeldBackAsync(reader, content.Length - 1, content.Length);
        await source.Pipe.Writer.CompleteAsync();
        var last = await reader.ReadAsync(new byte[10], content.Length - 1, content.Length, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(content[..^1]));
            Assert.That(lastArrivedBeforeVerification, Is.False, "the last byte waits for the whole blob to verify");
            Assert.That(last.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Read_UpstreamBytesDoNotMatch_ThrowsAndNeverGivesTheLastByte()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var source = new PipeSource(content.Length);
        using var coordinator = Coordinator(source);
        using var reader = coordinator.Join(source, Repository, Digest.Compute(content), evenIfStored: false, out _)!;
        var corrupt = content.ToArray();
        corrupt[5000] ^= 1;
        await source.Pipe.Writer.WriteAsync(corrupt);
        await source.Pipe.Writer.CompleteAsync();

        var failure = await ReadUntilFailureAsync(reader, content.Length);

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(FillFailure.DigestMismatch));
            Assert.That(_store.ContainsBlob(Digest.Compute(content)), Is.False);
        });
    }

    [Test]
    public async Task Join_WhileAFillRuns_SharesItAndOpensTheSourceOnce()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var source = new PipeSource(content.Length);
        using var coordinator = Coordinator(source);
        var digest = Digest.Compute(content);

        using var first = coordinator.Join(source, Repository, digest, evenIfStored: false, out var firstJoined)!;
        using var second = coordinator.Join(source, Repository, digest, evenIfStored: false, out var secondJoined)!;
        await source.Pipe.Writer.WriteAsync(content);
        await source.Pipe.Writer.CompleteAsync();
        var bodies = await Task.WhenAll(ReadAsync(first, content.Length), ReadAsync(second, content.Length));

        Assert.Multiple(() =>
        {
            Assert.That(firstJoined, Is.False);
            Assert.That(secondJoined, Is.True);
            Assert.That(bodies, Is.All.EqualTo(content));
            Assert.That(source.Opens, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Join_AfterTheFillCommitted_ReturnsNullForTheStore()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var source = new PipeSource(content.Length);
        using var coordinator = Coordinator(source);
        var digest = Digest.Compute(content);
        using (var reader = coordinator.Join(source, Repository, digest, evenIfStored: false, out _)!)
        {
            await source.Pipe.Writer.WriteAsync(content);
            await source.Pipe.Writer.CompleteAsync();
            await ReadAsync(reader, content.Length);
        }

        // The rename comes a moment before the fill leaves the coordinator; a Join in between joins the
        // verified fill, which is fine. Once both have happened, the store is the only answer.
        await _store.Index.WhenCommittedAsync(ContentKind.Blob, digest, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => coordinator.Running == 0, "the fill leaves the coordinator after its commit");

        Assert.That(coordinator.Join(source, Repository, digest, evenIfStored: false, out _), Is.Null);
        using var lease = _store.Blobs.TryOpen(digest);
        Assert.That(File.ReadAllBytes(lease!.Path), Is.EqualTo(content));
    }

    [Test]
    public void RemoveTempFiles_RemovesWhatAKilledProcessLeft()
    {
        File.WriteAllBytes(Path.Combine(_directory.Path, "tmp", "0123456789abcdef"), new byte[100]);

        Assert.Multiple(() =>
        {
            Assert.That(_store.Layout.RemoveTempFiles(), Is.EqualTo(1));
            Assert.That(Directory.GetFiles(Path.Combine(_directory.Path, "tmp")), Is.Empty);
        });
    }

    /// <summary>Reads a response ending at <paramref name="end"/>, stopping early at <paramref name="stopAt"/> bytes; fails the test if the fill fails.</summary>
    private static async Task<byte[]> ReadAsync(FillReader reader, long end, long? stopAt = null)
    {
        using var body = new MemoryStream();
        var buffer = new byte[4096];
        while (body.Length < (stopAt ?? end))
        {
            var read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, (stopAt ?? end) - body.Length)), body.Length, end, CancellationToken.None);
            Assert.That(read.Failed, Is.False, read.Reason);
            if (read.Count == 0)
            {
                break;
            }

            body.Write(buffer, 0, read.Count);
        }

        return body.ToArray();
    }

    /// <summary>Reads a response until the fill says it failed, and returns why; fails the test if the response completes.</summary>
    private static async Task<FillFailure> ReadUntilFailureAsync(FillReader reader, long end)
    {
        var buffer = new byte[4096];
        for (long position = 0; ;)
        {
            var read = await reader.ReadAsync(buffer, position, end, CancellationToken.None);
            if (read.Failed)
            {
                return read.Failure;
            }

            Assert.That(read.Count, Is.GreaterThan(0), "the response completed although the blob did not verify");
            position += read.Count;
        }
    }

    /// <summary>
    /// Whether a read at <paramref name="position"/> would wait: it is asked with a token already cancelled,
    /// so bytes there come back at once and their absence is a cancellation, not a guess about timing.
    /// </summary>
    private static async Task<bool> IsHeldBackAsync(FillReader reader, long position, long end)
    {
        try
        {
            await reader.ReadAsync(new byte[10], position, end, new CancellationToken(canceled: true));
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    private BlobFillCoordinator Coordinator(IBlobSource source) =>
        new(_store.Blobs, _store.Links, _store.Provenance, Options.Create(new FillOptions()), TimeProvider.System, TestMetrics.Create(), new Mirror.Cache.Concurrency.SingleNode(), new SoleFillRunner(), new FillPeers(Options.Create(new FillPeerOptions()), new Mirror.Cache.Buckets.NoBucket(), TimeProvider.System), NullLogger<BlobFill>.Instance);

    /// <summary>A blob source whose body the test writes into a pipe, byte by byte if it likes.</summary>
    private sealed class PipeSource(long length) : IBlobSource
    {
        public Pipe Pipe { get; } = new();

        public int Opens { get; private set; }

        public Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken)
        {
            Opens++;
            return Task.FromResult(UpstreamBlob.Found(new UpstreamBody(Pipe.Reader.AsStream(), TimeSpan.FromMinutes(1), TimeProvider.System), 0, length, null));
        }

        public Task<UpstreamBlob> OpenBlobRangeAsync(RepositoryName repository, Digest digest, long start, long last, CancellationToken cancellationToken) =>
            Task.FromResult(UpstreamBlob.Failed(SourceStatus.Unavailable, UpstreamError.Because("the pipe has no ranges")));

        public string Name => "docker.io";

        public TimeSpan FirstByteTimeout => TimeSpan.FromSeconds(30);

        public Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
            Task.FromResult(new UpstreamBlobHead(SourceStatus.Found, length, null));
    }
}
