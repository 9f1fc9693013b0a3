namespace Mirror.Cache.Blobs;

/// <summary>Where a fill is; every stage but <see cref="Running"/> is final.</summary>
internal enum FillStage
{
    /// <summary>Bytes are arriving; none of them is verified yet.</summary>
    Running,

    /// <summary>Every byte arrived and the digest matched; readers may send the last bytes.</summary>
    Verified,

    /// <summary>The fill cannot deliver a verified blob; readers abort their responses.</summary>
    Failed,

    /// <summary>The store could not take the bytes; readers fetch their own verified copy from the upstream.</summary>
    StoreFaulted,
}
