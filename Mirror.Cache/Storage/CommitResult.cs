namespace Mirror.Cache.Storage;

/// <summary>How a write into the store ended.</summary>
internal enum CommitResult
{
    /// <summary>The content verified and is now in the store under its digest.</summary>
    Committed,

    /// <summary>The content's hash is not the digest it was fetched as; nothing was stored.</summary>
    DigestMismatch,

    /// <summary>The content's length is not the length the upstream announced; nothing was stored.</summary>
    SizeMismatch,

    /// <summary>The store could not write or rename (disk full, permissions); nothing was stored.</summary>
    StoreFault,
}
