namespace Mirror.Cache.Maintenance;

/// <summary>What re-hashing one stored file found, and did.</summary>
public enum VerifyOutcome
{
    /// <summary>Its bytes hash to its name.</summary>
    Intact,

    /// <summary>Its bytes do not hash to its name (bit rot, a hand edit); it was removed.</summary>
    Removed,

    /// <summary>Its bytes do not hash to its name, and it could not be removed (see the problem).</summary>
    NotRemoved,

    /// <summary>It could not be read (see the problem).</summary>
    Unreadable,

    /// <summary>It was gone before it could be read: removed by a sweep meanwhile.</summary>
    Vanished,
}
