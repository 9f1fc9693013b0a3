namespace Mirror.Gateway.Registry;

/// <summary>How a token realm answered.</summary>
internal enum TokenStatus
{
    Granted,

    /// <summary>The realm answered, without a token (wrong credentials, or a 4xx).</summary>
    Refused,

    /// <summary>The realm could not be asked: no answer, a timeout, or a 5xx.</summary>
    Unreachable,

    /// <summary>The realm's answer was larger than the mirror reads (<c>mirror.limits.tokenbytes</c>).</summary>
    OverLimit,
}
