namespace Mirror.Cache.Storage;

/// <summary>
/// What expiry and the size budget leave in place: pinned content, worked out above the store
/// (<c>Pins/StorePins</c>: <c>mirror.pin</c>, watched images) before each sweep; and whether pinned content
/// alone fills the budget, so that new content is served without being stored rather than a pin evicted.
/// </summary>
internal interface IStorePins
{
    /// <summary>Whether the entry <paramref name="key"/> is pinned.</summary>
    bool IsPinned(in DigestKey key);

    /// <summary>Pinned content alone is over <c>mirror.maxsize</c>: new content is not stored.</summary>
    bool CrowdedOut { get; }

    /// <summary>Bytes of pinned content in the store as of the last <see cref="RefreshAsync"/>; <c>null</c> when nothing is pinned by configuration.</summary>
    long? Bytes { get; }

    /// <summary>Works out what is pinned now; before each sweep.</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}
