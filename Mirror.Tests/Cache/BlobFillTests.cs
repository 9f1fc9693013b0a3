using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Content;
using Mirror.Cache.Fills;
using Mirror.Cache.Registry;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class BlobFillTests
{
    private static readonly RepositoryName Repository = RepositoryName.Parse("library/busybox");

    private TestDirectory _directory = null!;
    private ContentStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _store = new ContentStore(Options.Create(new StoreOptions { RootDirectory = _directory.Path }), Options.Create(new EvictionOptions()), TimeProvider.System, NullLogger<ContentStore>.Instance);
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
        using var reader = coordinator.Join(Repository, Digest.Compute(content), out _)!;
        await source.Pipe.Writer.WriteAsync(content);

        var received = await ReadAsync(reader, content.Length, stopAt: content.Length - 1);
        var last = reader.ReadAsync(new byte[10], content.Length - 1, content.Length, CancellationToken.None).AsTask();
        await Task.Delay(200);
        var lastArrivedBeforeVerification = last.IsCompleted;
        await source.Pipe.Writer.CompleteAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(received, Is.EqualTo(content[..^1]));
            Assert.That(lastArrivedBeforeVerification, Is.False, "the last byte waits for the whole blob to verify");
            Assert.That(await last, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Read_UpstreamBytesDoNotMatch_ThrowsAndNeverGivesTheLastByte()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var source = new PipeSource(content.Length);
        using var coordinator = Coordinator(source);
        using var reader = coordinator.Join(Repository, Digest.Compute(content), out _)!;
        var corrupt = content.ToArray();
        corrupt[5000] ^= 1;
        await source.Pipe.Writer.WriteAsync(corrupt);
        await source.Pipe.Writer.CompleteAsync();

        var failure = Assert.ThrowsAsync<FillFailedException>(async () => await ReadAsync(reader, content.Length));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Failure, Is.EqualTo(FillFailure.DigestMismatch));
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

        using var first = coordinator.Join(Repository, digest, out var firstJoined)!;
        using var second = coordinator.Join(Repository, digest, out var secondJoined)!;
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
        using (var reader = coordinator.Join(Repository, digest, out _)!)
        {
            await source.Pipe.Writer.WriteAsync(content);
            await source.Pipe.Writer.CompleteAsync();
            await ReadAsync(reader, content.Length);
        }

        // The rename comes a moment before the fill leaves the coordinator; a Join in between joins the
        // verified fill, which is fine. Once both have happened, the store is the only answer.
        await WaitUntilAsync(() => _store.ContainsBlob(digest) && coordinator.Running == 0);

        Assert.That(coordinator.Join(Repository, digest, out _), Is.Null);
        using var lease = _store.TryOpenBlob(digest);
        Assert.That(File.ReadAllBytes(lease!.Path), Is.EqualTo(content));
    }

    [Test]
    public void RemoveTempFiles_RemovesWhatAKilledProcessLeft()
    {
        File.WriteAllBytes(Path.Combine(_directory.Path, "tmp", "0123456789abcdef"), new byte[100]);

        Assert.Multiple(() =>
        {
            Assert.That(_store.RemoveTempFiles(), Is.EqualTo(1));
            Assert.That(Directory.GetFiles(Path.Combine(_directory.Path, "tmp")), Is.Empty);
        });
    }

    /// <summary>Reads a response ending at <paramref name="end"/>, stopping early at <paramref name="stopAt"/> bytes.</summary>
    private static async Task<byte[]> ReadAsync(FillReader reader, long end, long? stopAt = null)
    {
        using var body = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while (body.Length < (stopAt ?? end) && (read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, (stopAt ?? end) - body.Length)), body.Length, end, CancellationToken.None)) > 0)
        {
            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }

    private BlobFillCoordinator Coordinator(IBlobSource source) =>
        new(source, _store, new RepositoryLinks(_store, NullLogger<RepositoryLinks>.Instance), Options.Create(new FillOptions()), TimeProvider.System, TestMetrics.Create(), NullLogger<BlobFill>.Instance);

    /// <summary>A blob source whose body the test writes into a pipe, byte by byte if it likes.</summary>
    private sealed class PipeSource(long length) : IBlobSource
    {
        public Pipe Pipe { get; } = new();

        public int Opens { get; private set; }

        public Task<BlobSourceResponse> OpenAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken)
        {
            Opens++;
            return Task.FromResult(BlobSourceResponse.Found(Pipe.Reader.AsStream(), 0, length, null));
        }
    }
}
