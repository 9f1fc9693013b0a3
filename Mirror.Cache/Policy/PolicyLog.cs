using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Policy;

internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "mirror.policy: {Reason} ({Result})")]
    public static partial void Refused(ILogger logger, string reason, string result);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Debug, Message = "mirror.policy: {Reason}")]
    public static partial void Allowed(ILogger logger, string reason);
}
