namespace Mirror.Gateway.Authorization;

/// <summary>Whether a client may have what a request names.</summary>
internal enum AccessDecision
{
    Allowed,
    Denied,

    /// <summary>What decides could not be asked (the upstream's realm is down): denied, with a 503 rather than a challenge.</summary>
    Unavailable,
}
