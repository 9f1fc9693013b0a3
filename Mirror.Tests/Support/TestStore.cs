using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Buckets;
using Mirror.Cache.Pins;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Watch;

namespace Mirror.Tests.Support;

/// <summary>The store's parts over one directory, put together as the cache's composition does, for tests that drive them by hand.</summary>
internal sealed class TestStore : IDisposable
{
    public TestStore(string root, EvictionOptions eviction, TimeProvider time, long rewriteAfter = 65536, PinOptions? pins = null, WatchOptions? watch = null, IContentBucket? bucket = null)
    {
        Layout = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = root }));
        Links = new LinkJournal(Layout, NullLogger<LinkJournal>.Instance);
        Links.Load();
        Tags = new TagJournal(Layout, time, NullLogger<TagJournal>.Instance);
        Pins = new StorePins(Index, Layout, Tags, Links, Options.Create(pins ?? new PinOptions()), Options.Create(watch ?? new WatchOptions()), Options.Create(eviction), TestMetrics.Create(), NullLogger<StorePins>.Instance);
        var space = new DiskSpace(Layout, Pins, Options.Create(eviction), time, NullLogger<DiskSpace>.Instance);
        _time = time;
        Journal = new UseJournal(Layout, NullLogger<UseJournal>.Instance, rewriteAfter);
        Deletes = new ObjectDeletes(bucket ?? new NoBucket(), new LocalObjectGuard(), NullLogger<ObjectDeletes>.Instance);
        Blobs = new BlobStore(Layout, Index, space, bucket ?? new NoBucket(), Deletes, time, NullLogger<BlobStore>.Instance);
        Manifests = new ManifestStore(Layout, Index, space, bucket ?? new NoBucket(), Deletes, time, NullLogger<ManifestStore>.Instance);
        Proofs = new ProofJournal(Layout, NullLogger<ProofJournal>.Instance);
        Proofs.Load();
        Provenance = new Provenance(Proofs, Options.Create(new ProofOptions()), NullLogger<Provenance>.Instance);
        Provenance.Settle(anotherRegistryKnown: false);
    }

    public StoreLayout Layout { get; }

    /// <summary>The bucket's guarded deletes (a lock per digest in the process, as on one node).</summary>
    public ObjectDeletes Deletes { get; }

    public StoreIndex Index { get; } = new();

    private readonly TimeProvider _time;

    public UseJournal Journal { get; }

    public BlobStore Blobs { get; }

    public ManifestStore Manifests { get; }

    public LinkJournal Links { get; }

    public TagJournal Tags { get; }

    public StorePins Pins { get; }

    public ProofJournal Proofs { get; }

    public Provenance Provenance { get; }

    public bool ContainsBlob(Digest digest) => Blobs.Contains(digest);

    /// <summary>Stores <paramref name="content"/> as a fill does (hashed, written, verified, committed); its digest.</summary>
    public Digest CommitBlob(byte[] content)
    {
        var digest = Digest.Compute(content);
        using var writer = Blobs.TryCreateWriter(digest)!;
        writer.Hash(content);
        writer.Append(content);
        Assert.That(writer.Verify(content.Length), Is.EqualTo(CommitResult.Committed));
        // Without a bucket the commit is a rename, done before the task returns.
        Assert.That(Blobs.CommitAsync(writer, CancellationToken.None).GetAwaiter().GetResult(), Is.EqualTo(CommitResult.Committed));
        return digest;
    }

    public string BlobPath(Digest digest) => Layout.PathOf(ContentKind.Blob, digest);

    /// <summary>The start-up scan, run to its end.</summary>
    public void LoadIndex() => new StoreScanner(Layout, Index, Journal, _time, NullLogger<StoreScanner>.Instance).Scan();

    /// <summary>What each sweep does after it has swept: saves the uses since the last save.</summary>
    public void SaveUseTimes() => Journal.Save(Index);

    public void Dispose() => Manifests.Dispose();
}
