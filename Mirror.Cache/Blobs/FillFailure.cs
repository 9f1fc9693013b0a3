namespace Mirror.Cache.Blobs;

/// <summary>Why a fill failed.</summary>
public enum FillFailure
{
    None,

    /// <summary>The upstream would not serve the blob.</summary>
    Upstream,

    /// <summary>The upstream's bytes do not hash to the digest they were asked for.</summary>
    DigestMismatch,

    /// <summary>The upstream sent fewer or more bytes than it announced, and resuming did not mend it.</summary>
    Truncated,

    /// <summary>The mirror is stopping.</summary>
    Cancelled,
}
