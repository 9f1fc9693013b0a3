using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Blobs;

/// <summary>What became of blob responses: cut off, or handed to the front proxy. Event ids 2005 and 2030.</summary>
internal static partial class BlobResponseLog
{
    [LoggerMessage(2005, LogLevel.Warning, "Cut off the response for {Digest} at byte {Position}: {Reason}")]
    public static partial void ResponseAborted(ILogger logger, Digest digest, long position, string reason);

    [LoggerMessage(2030, LogLevel.Debug, "{Digest} handed to the front proxy: {Header}: {Target}")]
    public static partial void HandedToFrontProxy(ILogger logger, Digest digest, string header, string target);

    [LoggerMessage(2032, LogLevel.Debug, "{Digest} ({Length} bytes) redirected to the bucket")]
    public static partial void RedirectedToBucket(ILogger logger, Digest digest, long length);
}
