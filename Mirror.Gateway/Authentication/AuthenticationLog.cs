namespace Mirror.Gateway.Authentication;

/// <summary>Logins and the htpasswd file. Event ids 2017-2019.</summary>
internal static partial class AuthenticationLog
{
    [LoggerMessage(2017, LogLevel.Warning, "Failed {Scheme} login from {Address}")]
    public static partial void LoginFailed(ILogger logger, string scheme, string address);

    [LoggerMessage(2018, LogLevel.Information, "Re-read {Path}: {Users} users")]
    public static partial void HtpasswdReloaded(ILogger logger, string path, int users);

    [LoggerMessage(2019, LogLevel.Error, "{Path} changed and no longer parses ({Reason}); every login is refused until it is mended")]
    public static partial void HtpasswdRejected(ILogger logger, string path, string reason);
}
