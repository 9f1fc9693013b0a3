using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Quota;

/// <summary>The log lines of the pull quota. Event ids 1000-1999 are the cache's; 1080-1089 the quota's.</summary>
internal static partial class QuotaLog
{
    [LoggerMessage(1080, LogLevel.Warning, "Holding back manifest GETs to {Upstream} until {Until:u} ({Refusals} refusal(s) in a row): {Reason}")]
    public static partial void HoldStarted(ILogger logger, string upstream, DateTimeOffset until, int refusals, string reason);

    [LoggerMessage(1081, LogLevel.Information, "Manifest GETs to {Upstream} go again: {Reason}")]
    public static partial void HoldLifted(ILogger logger, string upstream, string reason);

    [LoggerMessage(1082, LogLevel.Debug, "A manifest GET to {Upstream} held back until {Until:u}, not sent: {Reason}")]
    public static partial void HeldBack(ILogger logger, string upstream, DateTimeOffset until, string reason);

    [LoggerMessage(1083, LogLevel.Debug, "The pull quota could not be refreshed from the cluster")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);
}
