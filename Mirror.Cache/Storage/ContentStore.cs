using Microsoft.Extensions.Caching.Memory;
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
internal sealed class ContentStore : IDisposable
{
    private const string TypeSuffix = ".type";

    private const string AccessFile = "access.json";

    /// <summary>Manifests are small and asked for often: the most used stay in memory, up to this many bytes.</summary>
    private const long ManifestMemoryBytes = 64L * 1024 * 1024;

    /// <summary>Free space is read from the file system at most this often.</summary>
    private static readonly TimeSpan FreeSpaceCheckInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger<ContentStore> _logger;
    private readonly TimeProvider _time;
    private readonly long _minFreeSpace;
    private readonly string _blobs;
    private readonly string _manifests;
    private readonly string _temp;
    private readonly Lock _freeSpaceGate = new();
    private readonly Lock _commitGate = new();
    private readonly TaskCompletionSource _indexLoaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MemoryCache _recentManifests = new(new MemoryCacheOptions { SizeLimit = ManifestMemoryBytes });
    private DateTimeOffset _freeSpaceCheckedAt = DateTimeOffset.MinValue;
    private bool _hasFreeSpace = true;

    public ContentStore(IOptions<StoreOptions> options, IOptions<EvictionOptions> eviction, TimeProvider time, ILogger<ContentStore> logger)
    {
        _logger = logger;
        _time = time;
        _minFreeSpace = eviction.Value.MinFreeSpace;
        Root = Path.GetFullPath(options.Value.RootDirectory);
        _blobs = Path.Combine(Root, "blobs");
        _manifests = Path.Combine(Root, "manifests");
        _temp = Path.Combine(Root, "tmp");
        MetadataDirectory = Path.Combine(Root, "metadata");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_manifests);
        Directory.CreateDirectory(_temp);
        Directory.CreateDirectory(MetadataDirectory);
    }

    /// <summary>Where the mirror keeps what it knows about the content: tags, tag lists, access times.</summary>
    public string MetadataDirectory { get; }

    public string Root { get; }

    /// <summary>What the store holds, with sizes and last accesses.</summary>
    public StoreIndex Index { get; } = new();

    /// <summary>Completes when <see cref="LoadIndex"/> has walked the whole store.</summary>
    public Task IndexLoaded => _indexLoaded.Task;

    public void Dispose() => _recentManifests.Dispose();

    /// <summary>Whether a blob is committed, without recording an access.</summary>
    public bool ContainsBlob(Digest digest) =>
        Index.TryFind(ContentKind.Blob, digest) is { } entry ? !entry.IsRetired : File.Exists(BlobPath(digest));

    /// <summary>
    /// Leases a committed blob for one response and records the access; <c>null</c> when it is not in the
    /// store, or is being removed.
    /// </summary>
    public StoreLease? TryOpenBlob(Digest digest)
    {
        var path = BlobPath(digest);
        if (Acquire(ContentKind.Blob, digest, path) is not { } entry)
        {
            return null;
        }

        return new StoreLease(entry, path);
    }

    /// <summary>Reads a committed manifest and records the access; <c>null</c> when it is not in the store.</summary>
    public async Task<StoredManifest?> TryFindManifestAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = ManifestPath(digest);
        if (Acquire(ContentKind.Manifest, digest, path) is not { } entry)
        {
            return null;
        }

        try
        {
            if (_recentManifests.TryGetValue(digest, out StoredManifest? recent))
            {
                return recent;
            }

            // The type file is committed before the content, so a content file always has one beside it.
            var mediaType = await File.ReadAllTextAsync(path + TypeSuffix, cancellationToken);
            var content = await File.ReadAllBytesAsync(path, cancellationToken);
            return Remember(new StoredManifest(digest, mediaType, content));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        finally
        {
            entry.Release();
        }
    }

    /// <summary>Opens a temp file for a blob, or <c>null</c> when the store cannot (or must not) be written.</summary>
    public BlobWriter? TryCreateBlobWriter(Digest digest)
    {
        if (!HasFreeSpace())
        {
            return null;
        }

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

        if (!HasFreeSpace())
        {
            return CommitResult.StoreFault;
        }

        var path = ManifestPath(digest);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await WriteAtomicallyAsync(path + TypeSuffix, System.Text.Encoding.UTF8.GetBytes(mediaType), cancellationToken);
            var temp = await WriteTempAsync(content, cancellationToken);
            lock (_commitGate)
            {
                File.Move(temp, path, overwrite: true);
                Index.Add(ContentKind.Manifest, digest, content.Length, _time.GetUtcNow(), ManifestReferences.Of(content.Span));
            }

            Remember(new StoredManifest(digest, mediaType, content));
            return CommitResult.Committed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.StoreWriteFailed(_logger, digest, ex);
            return CommitResult.StoreFault;
        }
    }

    private StoredManifest Remember(StoredManifest manifest)
    {
        _recentManifests.Set(manifest.Digest, manifest, new MemoryCacheEntryOptions { Size = manifest.Content.Length + manifest.MediaType.Length });
        return manifest;
    }

    private static string Key(ContentKind kind, Digest digest) => $"{(kind == ContentKind.Blob ? "blob" : "manifest")}:{digest}";

    private static IReadOnlyList<Digest> ReadReferences(string path)
    {
        try
        {
            return ManifestReferences.Of(File.ReadAllBytes(path));
        }
        catch (IOException)
        {
            return [];
        }
    }

    private Dictionary<string, DateTimeOffset> LoadAccessTimes()
    {
        try
        {
            var times = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllBytes(Path.Combine(MetadataDirectory, AccessFile)));
            return times?.ToDictionary(t => t.Key, t => DateTimeOffset.FromUnixTimeMilliseconds(t.Value)) ?? [];
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// Reads what is on disk into the index: one walk at start. A file's last access is the one last saved
    /// by <see cref="SaveAccessTimes"/>, else its last write.
    /// </summary>
    public void LoadIndex()
    {
        var saved = LoadAccessTimes();
        foreach (var (kind, directory) in new[] { (ContentKind.Blob, _blobs), (ContentKind.Manifest, _manifests) })
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (Digest.TryParse($"{file.Directory!.Parent!.Name}:{file.Name}") is not { } digest)
                {
                    continue;
                }

                var lastAccess = saved.TryGetValue(Key(kind, digest), out var at) ? at : file.LastWriteTimeUtc;
                var references = kind == ContentKind.Manifest ? ReadReferences(file.FullName) : [];
                Index.Add(kind, digest, file.Length, lastAccess, references);
            }
        }

        _indexLoaded.TrySetResult();
    }

    /// <summary>
    /// Writes every file's last access to the metadata directory (atomically), so that expiry and the
    /// budget survive a restart. Called in batches by the sweeper and at shutdown, never per request.
    /// </summary>
    public void SaveAccessTimes()
    {
        var times = Index.Entries.ToDictionary(e => Key(e.Kind, e.Digest), e => e.LastAccess.ToUnixTimeMilliseconds());
        var path = Path.Combine(MetadataDirectory, AccessFile);
        var temp = NewTempPath();
        try
        {
            File.WriteAllBytes(temp, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(times));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.MetadataNotSaved(_logger, path, ex);
            TryDelete(temp);
        }
    }

    /// <summary>
    /// Removes a retired entry's files and forgets it. Serialised with commits, so a file and its index
    /// entry come and go together.
    /// </summary>
    public void Remove(StoreEntry entry)
    {
        var path = entry.Kind == ContentKind.Blob ? BlobPath(entry.Digest) : ManifestPath(entry.Digest);
        lock (_commitGate)
        {
            File.Delete(path);
            if (entry.Kind == ContentKind.Manifest)
            {
                File.Delete(path + TypeSuffix);
                _recentManifests.Remove(entry.Digest);
            }

            Index.Remove(entry);
        }
    }

    /// <summary>Renames a fill's verified temp file into place under its digest.</summary>
    public CommitResult CommitBlob(BlobWriter writer)
    {
        lock (_commitGate)
        {
            var result = writer.MoveIntoPlace();
            if (result == CommitResult.Committed)
            {
                Index.Add(ContentKind.Blob, writer.Digest, writer.Length, _time.GetUtcNow());
            }

            return result;
        }
    }

    /// <summary>Whether the disk has at least <c>mirror.minfreespace</c> free; read from the file system every few seconds.</summary>
    public bool HasFreeSpace()
    {
        if (_minFreeSpace <= 0)
        {
            return true;
        }

        lock (_freeSpaceGate)
        {
            var now = _time.GetUtcNow();
            if (now - _freeSpaceCheckedAt >= FreeSpaceCheckInterval)
            {
                var available = new DriveInfo(Root).AvailableFreeSpace;
                var had = _hasFreeSpace;
                _hasFreeSpace = available >= _minFreeSpace;
                _freeSpaceCheckedAt = now;
                if (had && !_hasFreeSpace)
                {
                    CacheLog.LowDiskSpace(_logger, Root, available, _minFreeSpace);
                }
                else if (!had && _hasFreeSpace)
                {
                    CacheLog.DiskSpaceRecovered(_logger, Root, available);
                }
            }

            return _hasFreeSpace;
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

    /// <summary>Finds an entry (indexing a file the start-up scan has not reached yet), acquires it, and records the access.</summary>
    private StoreEntry? Acquire(ContentKind kind, Digest digest, string path)
    {
        var entry = Index.TryFind(kind, digest);
        if (entry is null)
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return null;
            }

            entry = Index.Add(kind, digest, file.Length, _time.GetUtcNow(), kind == ContentKind.Manifest ? ReadReferences(path) : null);
        }

        if (!entry.TryAcquire())
        {
            return null;
        }

        entry.Touch(_time.GetUtcNow());
        return entry;
    }

    internal string BlobPath(Digest digest) => Path.Combine(_blobs, digest.Algorithm, digest.Hex[..2], digest.Hex);

    internal string ManifestPath(Digest digest) => Path.Combine(_manifests, digest.Algorithm, digest.Hex[..2], digest.Hex);

    /// <summary>A new, unique path in <c>tmp/</c>, for a file to be written and then renamed into place.</summary>
    public string NewTempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N"));

    private async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = await WriteTempAsync(content, cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes <paramref name="content"/> to a new temp file, flushed to disk, ready to be renamed.</summary>
    private async Task<string> WriteTempAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = NewTempPath();
        try
        {
            await using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Deletes a temp file that may not exist; one left behind is removed at the next start.</summary>
    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's sweep of tmp/.
        }
    }
}
