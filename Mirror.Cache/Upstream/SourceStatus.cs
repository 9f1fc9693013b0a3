namespace Mirror.Cache.Upstream;

/// <summary>What the upstream said about a piece of content, reduced to what the mirror acts on.</summary>
public enum SourceStatus
{
    /// <summary>The upstream has it and is sending it.</summary>
    Found,

    /// <summary>The upstream does not have it (404), or the repository does not exist.</summary>
    NotFound,

    /// <summary>The upstream refused the mirror's credentials, or it has none that grant access.</summary>
    Denied,

    /// <summary>The upstream asks the mirror to slow down (429).</summary>
    TooManyRequests,

    /// <summary>The upstream could not be reached, timed out, or failed (5xx).</summary>
    Unavailable,

    /// <summary>The upstream answered with something the mirror will not accept (wrong range, oversized manifest).</summary>
    Invalid,
}
