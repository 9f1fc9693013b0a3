using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Buckets;

/// <summary>The bucket's log lines (event ids 1100-1119).</summary>
internal static partial class BucketLog
{
    [LoggerMessage(1101, LogLevel.Warning, "The bucket could not store {Digest} ({Operation}); it was served without being kept, and nothing of it is visible in the bucket")]
    public static partial void UploadFailed(ILogger logger, Digest digest, string operation, Exception exception);

    [LoggerMessage(1102, LogLevel.Warning, "Could not abort the multipart upload {UploadId} of {Digest}; the bucket's lifecycle rule for incomplete uploads removes it")]
    public static partial void AbortFailed(ILogger logger, Digest digest, string uploadId, Exception exception);

    [LoggerMessage(1103, LogLevel.Warning, "The bucket could not be asked for {Digest} ({Operation}): treated as not stored")]
    public static partial void ReadFailed(ILogger logger, Digest digest, string operation, Exception exception);

    [LoggerMessage(1104, LogLevel.Warning, "Could not delete {Digest} from the bucket")]
    public static partial void DeleteFailed(ILogger logger, Digest digest, Exception exception);

    [LoggerMessage(1105, LogLevel.Debug, "Uploaded part {Part} of {Digest} ({Bytes} bytes)")]
    public static partial void PartUploaded(ILogger logger, Digest digest, int part, long bytes);

    [LoggerMessage(1106, LogLevel.Debug, "Stored {Digest} in the bucket: {Length} bytes in {Parts} parts")]
    public static partial void Stored(ILogger logger, Digest digest, long length, int parts);

    [LoggerMessage(1107, LogLevel.Warning, "Aborted the multipart upload of {Digest}: it did not verify, or its fill ended before the end")]
    public static partial void Aborted(ILogger logger, Digest digest);
}
