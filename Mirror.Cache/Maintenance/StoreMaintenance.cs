using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// The store as the command line's <c>ls</c>, <c>verify</c> and <c>gc</c> see it, beside a server that may be
/// running on it: the same index, scan, journals and eviction the server uses, opened with
/// <see cref="StoreOptions.ReadOnlyMetadata"/> so that nothing the server owns is rewritten. Files are only
/// removed, as the server's own sweeps remove them; a server finds a removed file gone at its next look-up
/// and fetches it again.
/// </summary>
public sealed class StoreMaintenance
{
    private readonly StoreLayout _layout;
    private readonly StoreScanner _scanner;
    private readonly StoreIndex _index;
    private readonly ITagStore _tags;
    private readonly IRepositoryLinks _links;
    private readonly StoreEvictor _evictor;
    private readonly IStorePins _pins;
    private readonly StoreVerifier _verifier;
    private readonly IContentBucket _bucket;
    private readonly BucketMaintenance _bucketMaintenance;

    internal StoreMaintenance(StoreLayout layout, StoreScanner scanner, StoreIndex index, ITagStore tags, IRepositoryLinks links, StoreEvictor evictor, IStorePins pins, IContentBucket bucket)
    {
        _pins = pins;
        _bucket = bucket;
        _layout = layout;
        _scanner = scanner;
        _index = index;
        _tags = tags;
        _links = links;
        _evictor = evictor;
        _verifier = new StoreVerifier(layout);
        _bucketMaintenance = new BucketMaintenance(bucket);
    }

    /// <summary>Whether the store has a bucket (<c>storage.s3</c>), which <c>verify</c> and <c>gc</c> work on too.</summary>
    public bool HasBucket => _bucket.IsEnabled;

    /// <summary>The store's root directory, in full.</summary>
    public string Root => _layout.Root;

    /// <summary>
    /// Reads the store as a server's start does: the scan of every file (sizes, last writes, what manifests
    /// name) with the saved last uses, then the tags and the links, and what they pin (<c>mirror.pin</c>,
    /// watched images: <c>gc</c> removes none of it). Nothing is written; an unreadable store
    /// throws the scan's <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        _scanner.Scan();
        await _index.Loaded;
        await _tags.LoadAsync(cancellationToken);
        _links.Load();
        await _pins.RefreshAsync(cancellationToken);
    }

    /// <summary>Repositories, their images, tags, sizes and last pulls; after <see cref="LoadAsync"/>.</summary>
    public StoreInventory Inventory() => new InventoryReader(_layout, _index, _tags, _links, _pins).Read();

    /// <summary>
    /// Runs expiry and the size budget now, as the server's sweep does, telling <paramref name="removed"/> of
    /// each entry removed (or, with <paramref name="dryRun"/>, that would be); after <see cref="LoadAsync"/>.
    /// Last uses are those saved so far: a server saves its own at each sweep and at shutdown.
    /// </summary>
    public SweepResult Collect(bool dryRun, Action<EvictedContent>? removed) => _evictor.Sweep(dryRun, removed);

    /// <summary>Every committed blob and manifest, read off the directory walk (the index is not needed).</summary>
    public IEnumerable<StoredContent> Contents() =>
        _layout.Files().Select(file => new StoredContent(file.Kind, file.Sha512 ?? file.Key.ToSha256Digest(), file.Length));

    /// <summary>
    /// Re-hashes one stored file and removes it when its bytes do not match its name; <paramref name="hashed"/>
    /// is told of the bytes as they are read.
    /// </summary>
    public Task<VerifiedFile> VerifyAsync(StoredContent content, IProgress<long>? hashed, CancellationToken cancellationToken) =>
        _verifier.VerifyAsync(content, hashed, cancellationToken);

    /// <summary>Every object of the bucket that names content (none without a bucket). S3 errors are thrown: the command reports them.</summary>
    public async IAsyncEnumerable<StoredContent> BucketContentsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (content, _) in _bucketMaintenance.ContentsAsync(cancellationToken))
        {
            yield return content;
        }
    }

    /// <summary>Re-hashes one object of the bucket and deletes it when its bytes do not match its digest.</summary>
    public Task<VerifiedFile> VerifyObjectAsync(StoredContent content, IProgress<long>? hashed, CancellationToken cancellationToken) =>
        _bucketMaintenance.VerifyAsync(content, hashed, cancellationToken);

    /// <summary>
    /// Deletes the bucket's blob objects that no manifest in the bucket names and that were written before
    /// <paramref name="olderThan"/> (with <paramref name="dryRun"/>, names them only), telling <paramref name="removed"/> of each.
    /// </summary>
    public Task<BucketSweep> CollectBucketAsync(bool dryRun, DateTimeOffset olderThan, Action<StoredContent> removed, CancellationToken cancellationToken) =>
        _bucketMaintenance.CollectAsync(dryRun, olderThan, removed, cancellationToken);

    /// <summary>
    /// With <c>storage.s3</c>, the images the bucket holds (<paramref name="root"/> names it), whatever the local
    /// directory holds, after <see cref="LoadAsync"/>: repositories and tags as the cluster's Redis and the
    /// local metadata know them, other images by digest; <c>null</c> on the filesystem alone. S3 and Redis
    /// errors are thrown: the command reports them.
    /// </summary>
    public async Task<StoreInventory?> BucketInventoryAsync(string root, CancellationToken cancellationToken)
    {
        if (!_bucket.IsEnabled)
        {
            return null;
        }

        var tags = await _tags.AllRecordsAsync(cancellationToken);
        var links = await _links.AllLinksAsync(cancellationToken);
        return await new BucketInventoryReader(_bucket, _pins).ReadAsync(root, tags, links, cancellationToken);
    }

    /// <summary>
    /// With <c>storage.s3</c>, what the bucket holds, listed (and what of it this node's index lacks, after
    /// <see cref="LoadAsync"/>); <c>null</c> on the filesystem alone. S3 errors are thrown: the command reports them.
    /// </summary>
    public async Task<BucketTotals?> BucketTotalsAsync(CancellationToken cancellationToken)
    {
        if (!_bucket.IsEnabled)
        {
            return null;
        }

        long blobs = 0, manifests = 0, bytes = 0, notLocal = 0;
        await foreach (var item in _bucket.ListAsync(cancellationToken))
        {
            (blobs, manifests) = item.IsManifest ? (blobs, manifests + 1) : (blobs + 1, manifests);
            bytes += item.Length;
            notLocal += _index.TryFind(item.IsManifest ? ContentKind.Manifest : ContentKind.Blob, item.Digest) is null ? 1 : 0;
        }

        return new BucketTotals(blobs, manifests, bytes, notLocal);
    }
}
