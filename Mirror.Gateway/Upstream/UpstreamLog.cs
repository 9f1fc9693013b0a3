namespace Mirror.Gateway.Upstream;

/// <summary>The upstream pipeline's log lines: its token requests. Event ids 2001-2003.</summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(2001, LogLevel.Warning, "The token realm {Realm} is not on the upstream's host {UpstreamHost} or its domain; asking it for a token without the configured credentials")]
    public static partial void RealmRefusedCredentials(ILogger logger, string realm, string upstreamHost);

    [LoggerMessage(2002, LogLevel.Warning, "The token realm {Realm} refused a token for {Scope} with status {Status}")]
    public static partial void TokenRefused(ILogger logger, string realm, string? scope, int status);

    [LoggerMessage(2003, LogLevel.Warning, "Could not get a token for {Scope} from {Realm}: {Reason}")]
    public static partial void TokenFetchFailed(ILogger logger, string realm, string? scope, string reason);
}
