namespace Mirror.Cache.Storage;

/// <summary>
/// Where the uses of stored content are kept so that they outlive the process: saved in batches of what
/// was used since the last batch (each sweep, and at shutdown), never per request, and merged back into
/// the index at start. On one node a journal file (<see cref="UseJournal"/>). In a cluster the same facts
/// live in Redis, which every node saves its batches to and merges the others' from (the cluster's
/// implementation, above the store); that is why replaying merges (the latest use of each entry wins,
/// whatever the order) instead of replacing. Chosen once, in the composition.
/// </summary>
internal interface IUseLog
{
    /// <summary>Merges every saved use into <paramref name="index"/>; uses of content it does not hold are passed over.</summary>
    void Replay(StoreIndex index);

    /// <summary>Saves the uses <paramref name="index"/> recorded since the last call.</summary>
    void Save(StoreIndex index);

    /// <summary>Merges the uses other nodes saved since the last time, before this node sweeps; nothing to do on one node.</summary>
    void CatchUp(StoreIndex index);

    /// <summary>
    /// The latest use saved of content this node's index may not hold (another node's), as UTC ticks; 0 when none
    /// is known. On one node nothing but the index knows a use, so 0.
    /// </summary>
    long LastUseOf(ContentKind kind, Protocol.Digest digest);

    /// <summary>Forgets the uses of what a sweep removed, where they are kept apart from the index.</summary>
    void Forget(IReadOnlyList<EvictedContent> removed);
}
