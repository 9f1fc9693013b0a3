using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache;

/// <summary>The cache's log lines. Event ids 1000-1999.</summary>
internal static partial class CacheLog
{
    [LoggerMessage(1001, LogLevel.Warning, "The store could not write {Digest}; serving it from the upstream without keeping a copy")]
    public static partial void StoreWriteFailed(ILogger logger, Digest digest, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Could not remove the temp file {Path}; it is removed at the next start")]
    public static partial void TempFileNotRemoved(ILogger logger, string path, Exception exception);

    [LoggerMessage(1003, LogLevel.Error, "The upstream's {Length} bytes for {Repository}@{Digest} do not hash to that digest; nothing was stored and every reader was cut off")]
    public static partial void DigestMismatch(ILogger logger, RepositoryKey repository, Digest digest, long length);

    [LoggerMessage(1004, LogLevel.Warning, "The upstream sent {Written} bytes for {Repository}@{Digest} where it announced {Length}; nothing was stored")]
    public static partial void FillTruncated(ILogger logger, RepositoryKey repository, Digest digest, long written, long? length);

    [LoggerMessage(1005, LogLevel.Warning, "The upstream broke off {Repository}@{Digest} at byte {Written}; resuming, attempt {Attempt}: {Reason}")]
    public static partial void FillResuming(ILogger logger, RepositoryKey repository, Digest digest, long written, int attempt, string reason);

    [LoggerMessage(1006, LogLevel.Warning, "Gave up on {Repository}@{Digest} at byte {Written} after {Resumes} resumes: {Reason}")]
    public static partial void FillGaveUp(ILogger logger, RepositoryKey repository, Digest digest, long written, int resumes, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "The upstream could not send {Repository}@{Digest}; asking again, attempt {Attempt}: {Reason}")]
    public static partial void FillRetrying(ILogger logger, RepositoryKey repository, Digest digest, int attempt, string? reason);

    [LoggerMessage(1007, LogLevel.Error, "The fill of {Repository}@{Digest} failed unexpectedly")]
    public static partial void FillCrashed(ILogger logger, RepositoryKey repository, Digest digest, Exception exception);

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

    [LoggerMessage(1017, LogLevel.Warning, "Serving {Repository}:{Tag} as {Digest}, its last known digest: the upstream is {Reason}")]
    public static partial void ServedStale(ILogger logger, RepositoryKey repository, string tag, Digest digest, string reason);

    [LoggerMessage(1018, LogLevel.Error, "The upstream's manifest for {Repository}@{Expected} hashes to {Actual}; not stored, not served")]
    public static partial void ManifestDigestMismatch(ILogger logger, RepositoryKey repository, Digest expected, Digest actual);

    [LoggerMessage(1019, LogLevel.Information, "Store at {Root}; removed {Count} temp files left by an earlier run")]
    public static partial void StoreOpened(ILogger logger, string root, int count);

    [LoggerMessage(1020, LogLevel.Information, "Known from earlier runs: {Count} tags, {Links} repository-digest links, {Proofs} registry-digest proofs")]
    public static partial void MetadataLoaded(ILogger logger, int count, int links, int proofs);

    [LoggerMessage(1024, LogLevel.Error, "Repository links not loaded from {Path}; the upstream is asked again which repository holds what")]
    public static partial void LinksNotLoaded(ILogger logger, string path, Exception exception);

    [LoggerMessage(1030, LogLevel.Information, "Filling {Repository}@{Digest}: {Written} of {Length} bytes, {MiBPerSecond:0.0} MiB/s over {Seconds:0} s, {Clients} clients waiting")]
    public static partial void FillProgress(ILogger logger, Protocol.RepositoryKey repository, Protocol.Digest digest, long written, string length, double miBPerSecond, double seconds, int clients);

    [LoggerMessage(1021, LogLevel.Information, "Indexing the store: {Files} files ({Bytes} bytes) so far, in {Elapsed}")]
    public static partial void StoreIndexing(ILogger logger, long files, long bytes, TimeSpan elapsed);

    [LoggerMessage(1022, LogLevel.Warning, "Passed over {Count} unreadable lines of {Path} (a write torn by a crash); those uses fall back to earlier ones")]
    public static partial void JournalLinesSkipped(ILogger logger, string path, long count);

    [LoggerMessage(1023, LogLevel.Warning, "Could not read {Path}; last uses fall back to the files' write times")]
    public static partial void JournalNotRead(ILogger logger, string path, Exception exception);

    [LoggerMessage(1031, LogLevel.Debug, "Following {Node}'s fill of {Repository}@{Digest}: {Written} of {Length} bytes")]
    public static partial void FollowingFill(ILogger logger, Protocol.RepositoryKey repository, Protocol.Digest digest, string node, long written, long? length);

    [LoggerMessage(1032, LogLevel.Debug, "Not sweeping: {Reason}")]
    public static partial void NotSweeping(ILogger logger, string reason);

    [LoggerMessage(1033, LogLevel.Information, "{Node} won the fill of {Digest} for the cluster")]
    public static partial void FillLeaseWon(ILogger logger, string node, Protocol.Digest digest);

    [LoggerMessage(1034, LogLevel.Warning, "{Node} took over the fill of {Digest} from a node that stopped, keeping {Kept} bytes")]
    public static partial void FillTakenOver(ILogger logger, string node, Protocol.Digest digest, long kept);

    [LoggerMessage(1035, LogLevel.Debug, "Filling {Digest} for the cluster into {Path}")]
    public static partial void FillingForCluster(ILogger logger, Protocol.Digest digest, string path);

    [LoggerMessage(1041, LogLevel.Warning, "{Digest} was removed from the store by another process (verify, gc, or a hand); forgotten, and fetched again when asked for")]
    public static partial void StoredFileVanished(ILogger logger, Digest digest);

    [LoggerMessage(1050, LogLevel.Error, "Proofs not loaded from {Path}; each registry fetches the stored content it asks for once more, to check it")]
    public static partial void ProofsNotLoaded(ILogger logger, string path, Exception exception);

    [LoggerMessage(1051, LogLevel.Information, "Content stored before proofs were kept is {Rule}")]
    public static partial void UnattributedContent(ILogger logger, string rule);

    [LoggerMessage(1052, LogLevel.Warning, "{Digest} is stored as {MediaType}, which the mirror does not serve as a manifest; not served, fetched again when asked for")]
    public static partial void StoredManifestTypeRefused(ILogger logger, Digest digest, string mediaType);
}
