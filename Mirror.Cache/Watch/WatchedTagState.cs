namespace Mirror.Cache.Watch;

/// <summary>
/// A watched tag as the status page shows it: when it was last checked upstream, the digest it points at,
/// whether that image (the platforms the watcher fetches) is wholly in the store, its last move and where it
/// pointed before, and, on the watching node, a deferral or failure of its last round.
/// </summary>
public sealed record WatchedTagState(
    string Image,
    TimeSpan Interval,
    DateTimeOffset? LastCheck,
    string? Digest,
    bool InStore,
    DateTimeOffset? LastMove,
    string? Previous,
    DateTimeOffset? DeferredUntil,
    string? Deferral,
    long Deferrals,
    string? Problem);
