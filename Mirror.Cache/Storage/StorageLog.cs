using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>The store's log lines: writes, metadata journals, the index, disk space and sweeps. Event ids 1000-1999 are the cache's.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(1001, LogLevel.Warning, "The store could not write {Digest}; serving it from the upstream without keeping a copy")]
    public static partial void StoreWriteFailed(ILogger logger, Digest digest, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Could not remove the temp file {Path}; it is removed at the next start")]
    public static partial void TempFileNotRemoved(ILogger logger, string path, Exception exception);

    [LoggerMessage(1009, LogLevel.Warning, "Could not save {Path}; it is saved again at the next sweep")]
    public static partial void MetadataNotSaved(ILogger logger, string path, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Only {Available} bytes free under {Root}, below mirror.minfreespace ({Minimum}): new content is served without being stored")]
    public static partial void LowDiskSpace(ILogger logger, string root, long available, long minimum);

    [LoggerMessage(1011, LogLevel.Information, "{Available} bytes free under {Root} again: storing new content")]
    public static partial void DiskSpaceRecovered(ILogger logger, string root, long available);

    [LoggerMessage(1012, LogLevel.Information, "Sweep: removed {Expired} files ({ExpiredBytes} bytes) unused for over {Ttl} and {Evicted} files ({EvictedBytes} bytes) for the size budget; kept {Busy} in use; the store holds {Bytes} bytes in {Files} files; took {Elapsed}")]
    public static partial void Swept(ILogger logger, int expired, long expiredBytes, TimeSpan ttl, int evicted, long evictedBytes, int busy, long bytes, long files, TimeSpan elapsed);

    [LoggerMessage(1013, LogLevel.Warning, "Could not remove {Digest} from the store")]
    public static partial void RemoveFailed(ILogger logger, Digest digest, Exception exception);

    [LoggerMessage(1014, LogLevel.Information, "Store indexed: {Blobs} blobs and {Manifests} manifests, {Bytes} bytes, in {Elapsed}")]
    public static partial void StoreIndexed(ILogger logger, long blobs, long manifests, long bytes, TimeSpan elapsed);

    [LoggerMessage(1015, LogLevel.Error, "Indexing the store at {Root} failed; content is indexed as it is served, and expiry and the budget see only that")]
    public static partial void StoreScanFailed(ILogger logger, string root, Exception exception);

    [LoggerMessage(1016, LogLevel.Warning, "Sweeping the part of the store the index holds, since the start-up scan failed")]
    public static partial void SweepingPartialIndex(ILogger logger);

    [LoggerMessage(1021, LogLevel.Information, "Indexing the store: {Files} files ({Bytes} bytes) so far, in {Elapsed}")]
    public static partial void StoreIndexing(ILogger logger, long files, long bytes, TimeSpan elapsed);

    [LoggerMessage(1022, LogLevel.Warning, "Passed over {Count} unreadable lines of {Path} (a write torn by a crash); those uses fall back to earlier ones")]
    public static partial void JournalLinesSkipped(ILogger logger, string path, long count);

    [LoggerMessage(1023, LogLevel.Warning, "Could not read {Path}; last uses fall back to the files' write times")]
    public static partial void JournalNotRead(ILogger logger, string path, Exception exception);

    [LoggerMessage(1032, LogLevel.Debug, "Not sweeping: {Reason}")]
    public static partial void NotSweeping(ILogger logger, string reason);

    [LoggerMessage(1041, LogLevel.Warning, "{Digest} was removed from the store by another process (verify, gc, or a hand); forgotten, and fetched again when asked for")]
    public static partial void StoredFileVanished(ILogger logger, Digest digest);

    [LoggerMessage(1052, LogLevel.Warning, "{Digest} is stored as {MediaType}, which the mirror does not serve as a manifest; not served, fetched again when asked for")]
    public static partial void StoredManifestTypeRefused(ILogger logger, Digest digest, string mediaType);

    [LoggerMessage(1091, LogLevel.Information, "Kept the bucket's object of {Digest}: {Reason}")]
    public static partial void ObjectKept(ILogger logger, Digest digest, string reason);

    [LoggerMessage(1092, LogLevel.Information, "Swept the bucket's objects no index here holds: {Expired} expired, {Evicted} over the size budget ({Bytes} bytes); the bucket holds {Total} bytes")]
    public static partial void BucketSwept(ILogger logger, int expired, int evicted, long bytes, long total);

    [LoggerMessage(1093, LogLevel.Warning, "Could not sweep the bucket's objects; trying again at the next sweep")]
    public static partial void BucketSweepFailed(ILogger logger, Exception exception);
}
