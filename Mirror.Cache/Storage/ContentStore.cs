using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>
/// The content-addressed store on local disk. Every file's name is the digest of its bytes, and a file only
/// appears under that name by an atomic rename of a verified temp file, so whatever is found is whole.
/// Layout: <c>blobs/&lt;alg&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>, <c>manifests/&lt;alg&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c> with
/// the media type beside it in <c>&lt;hex&gt;.type</c>, and <c>tmp/</c> for writes in progress.
/// </summary>
internal sealed class ContentStore
{
    private const string TypeSuffix = ".type";

    private readonly ILogger<ContentStore> _logger;
    private readonly TimeProvider _time;
    private readonly string _blobs;
    private readonly string _manifests;
    private readonly string _temp;

    public ContentStore(IOptions<StoreOptions> options, TimeProvider time, ILogger<ContentStore> logger)
    {
        _logger = logger;
        _time = time;
        Root = Path.GetFullPath(options.Value.RootDirectory);
        _blobs = Path.Combine(Root, "blobs");
        _manifests = Path.Combine(Root, "manifests");
        _temp = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_manifests);
        Directory.CreateDirectory(_temp);
    }

    public string Root { get; }

    /// <summary>What the store holds, with sizes and last accesses.</summary>
    public StoreIndex Index { get; } = new();

    /// <summary>Finds a committed blob and records the access.</summary>
    public StoredBlob? TryFindBlob(Digest digest)
    {
        var file = new FileInfo(BlobPath(digest));
        if (!file.Exists)
        {
            return null;
        }

        Touch(ContentKind.Blob, digest, file.Length);
        return new StoredBlob(file.FullName, file.Length);
    }

    public async Task<StoredManifest?> TryFindManifestAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = ManifestPath(digest);
        try
        {
            // The type file is committed before the content, so a content file always has one beside it.
            var mediaType = await File.ReadAllTextAsync(path + TypeSuffix, cancellationToken);
            var content = await File.ReadAllBytesAsync(path, cancellationToken);
            Touch(ContentKind.Manifest, digest, content.Length);
            return new StoredManifest(digest, mediaType, content);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Opens a temp file for a blob, or <c>null</c> when the store cannot be written.</summary>
    public BlobWriter? TryCreateBlobWriter(Digest digest)
    {
        var tempPath = NewTempPath();
        try
        {
            return new BlobWriter(digest, tempPath, BlobPath(digest), _logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.StoreWriteFailed(_logger, digest, ex);
            return null;
        }
    }

    /// <summary>Stores a verified manifest: type file first, then the content, each by temp file and rename.</summary>
    public async Task<CommitResult> StoreManifestAsync(
        Digest digest, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (!digest.Matches(content.Span))
        {
            return CommitResult.DigestMismatch;
        }

        var path = ManifestPath(digest);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await WriteAtomicallyAsync(path + TypeSuffix, System.Text.Encoding.UTF8.GetBytes(mediaType), cancellationToken);
            await WriteAtomicallyAsync(path, content, cancellationToken);
            Index.Add(ContentKind.Manifest, digest, content.Length, _time.GetUtcNow());
            return CommitResult.Committed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.StoreWriteFailed(_logger, digest, ex);
            return CommitResult.StoreFault;
        }
    }

    /// <summary>Records a blob a fill committed.</summary>
    public void BlobCommitted(Digest digest, long length) => Index.Add(ContentKind.Blob, digest, length, _time.GetUtcNow());

    /// <summary>
    /// Reads what is on disk into the index: one walk at start. A file's last access starts as its last
    /// write, the best the disk says without a persisted record.
    /// </summary>
    public void LoadIndex()
    {
        foreach (var (kind, directory) in new[] { (ContentKind.Blob, _blobs), (ContentKind.Manifest, _manifests) })
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (Digest.TryParse($"{file.Directory!.Parent!.Name}:{file.Name}") is { } digest)
                {
                    Index.Add(kind, digest, file.Length, file.LastWriteTimeUtc);
                }
            }
        }
    }

    /// <summary>
    /// Removes what writes in progress left behind when the process died: such files were never renamed
    /// into place, so nothing refers to them. Called once at start, before any fill begins.
    /// </summary>
    public int RemoveTempFiles()
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(_temp))
        {
            File.Delete(file);
            removed++;
        }

        return removed;
    }

    private void Touch(ContentKind kind, Digest digest, long length)
    {
        var now = _time.GetUtcNow();
        if (Index.TryFind(kind, digest) is { } entry)
        {
            entry.Touch(now);
        }
        else
        {
            // Found on disk before the start-up scan reached it.
            Index.Add(kind, digest, length, now);
        }
    }

    internal string BlobPath(Digest digest) => Path.Combine(_blobs, digest.Algorithm, digest.Hex[..2], digest.Hex);

    internal string ManifestPath(Digest digest) => Path.Combine(_manifests, digest.Algorithm, digest.Hex[..2], digest.Hex);

    private string NewTempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N"));

    private async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = NewTempPath();
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
