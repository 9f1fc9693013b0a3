using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Blobs;

/// <summary>What became of blob responses: cut off, handed to the front proxy, or a range asked of the upstream. Event ids 2005, 2030 and 2032.</summary>
internal static partial class BlobResponseLog
{
    [LoggerMessage(2005, LogLevel.Warning, "Cut off the response for {Digest} at byte {Position}: {Reason}")]
    public static partial void ResponseAborted(ILogger logger, Digest digest, long position, string reason);

    [LoggerMessage(2030, LogLevel.Debug, "{Digest} handed to the front proxy: {Header}: {Target}")]
    public static partial void HandedToFrontProxy(ILogger logger, Digest digest, string header, string target);

    [LoggerMessage(2032, LogLevel.Debug, "Bytes {Start}-{Last} of {Digest} asked of the upstream: the fill would reach them later")]
    public static partial void RangeFromUpstream(ILogger logger, Digest digest, long start, long last);
    [LoggerMessage(2034, LogLevel.Debug, "{Digest} ({Length} bytes) redirected to the bucket")]
    public static partial void RedirectedToBucket(ILogger logger, Digest digest, long length);
}
