using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>The log lines of blob fills: progress, retries, resumes, digest checks, and fills in a cluster. Event ids 1000-1999 are the cache's.</summary>
internal static partial class BlobLog
{
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

    [LoggerMessage(1030, LogLevel.Information, "Filling {Repository}@{Digest}: {Written} of {Length} bytes, {MiBPerSecond:0.0} MiB/s over {Seconds:0} s, {Clients} clients waiting")]
    public static partial void FillProgress(ILogger logger, Protocol.RepositoryKey repository, Protocol.Digest digest, long written, string length, double miBPerSecond, double seconds, int clients);

    [LoggerMessage(1031, LogLevel.Debug, "Following {Node}'s fill of {Repository}@{Digest}: {Written} of {Length} bytes")]
    public static partial void FollowingFill(ILogger logger, Protocol.RepositoryKey repository, Protocol.Digest digest, string node, long written, long? length);

    [LoggerMessage(1033, LogLevel.Information, "{Node} won the fill of {Digest} for the cluster")]
    public static partial void FillLeaseWon(ILogger logger, string node, Protocol.Digest digest);

    [LoggerMessage(1034, LogLevel.Warning, "{Node} took over the fill of {Digest} from a node that stopped, keeping {Kept} bytes")]
    public static partial void FillTakenOver(ILogger logger, string node, Protocol.Digest digest, long kept);

    [LoggerMessage(1035, LogLevel.Debug, "Filling {Digest} for the cluster into {Path}")]
    public static partial void FillingForCluster(ILogger logger, Protocol.Digest digest, string path);

    [LoggerMessage(1089, LogLevel.Information, "Streaming the fill of {Digest} from {Owner}, from byte {From}")]
    public static partial void StreamingFromNode(ILogger logger, Protocol.Digest digest, Uri owner, long from);

    [LoggerMessage(1090, LogLevel.Information, "The stream of {Digest} from {Owner} ended at byte {Written}: {Reason}")]
    public static partial void NodeStreamBroke(ILogger logger, Protocol.Digest digest, Uri owner, long written, string reason);
}
