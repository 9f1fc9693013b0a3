using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Pins;

/// <summary>The pins' log lines (event ids 1087-1089, beside the watcher's).</summary>
internal static partial class PinLog
{
    [LoggerMessage(1087, LogLevel.Warning, "Pinned and watched content alone is {Bytes} bytes, over mirror.maxsize ({MaxSize}): new content is served without being stored rather than a pin evicted")]
    public static partial void PinsOverBudget(ILogger logger, long bytes, long maxSize);

    [LoggerMessage(1088, LogLevel.Information, "Pinned and watched content is {Bytes} bytes again, within mirror.maxsize ({MaxSize}): storing new content")]
    public static partial void PinsWithinBudget(ILogger logger, long bytes, long maxSize);
}
