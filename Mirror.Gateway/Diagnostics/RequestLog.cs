namespace Mirror.Gateway.Diagnostics;

/// <summary>One line per request (<see cref="RequestLogMiddleware"/>). Event ids 2009, 2010 and 2051.</summary>
internal static partial class RequestLog
{
    [LoggerMessage(2009, LogLevel.Information, "{Method} {Repository} {Endpoint} {Reference} {Status} {Bytes}B {DurationMs:0.0}ms {CacheResult} {Client}")]
    public static partial void Request(ILogger logger, string method, string repository, string endpoint, string reference, int status, long bytes, double durationMs, string cacheResult, string client);

    [LoggerMessage(2010, LogLevel.Debug, "{Method} {Path} {Status} {DurationMs:0.0}ms")]
    public static partial void OtherRequest(ILogger logger, string method, string path, int status, double durationMs);

    [LoggerMessage(2051, LogLevel.Information, "{Method} {Repository} {Endpoint} {Reference} {Status} {Bytes}B {DurationMs:0.0}ms {CacheResult} {Client} on {Node}")]
    public static partial void RequestOnNode(ILogger logger, string method, string repository, string endpoint, string reference, int status, long bytes, double durationMs, string cacheResult, string client, string node);
}
