namespace Mirror.Gateway.Listening;

internal sealed partial class ResponseRateWatch
{
    private static partial class Log
    {
        [LoggerMessage(2060, LogLevel.Warning, "Aborted the response to {Path} for {Client} after {Bytes} bytes: it took them slower than {Rate} bytes/s (mirror.limits.minresponserate)")]
        public static partial void TooSlow(ILogger logger, string path, string client, long bytes, long rate);
    }
}
