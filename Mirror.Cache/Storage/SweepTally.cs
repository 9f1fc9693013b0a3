namespace Mirror.Cache.Storage;

/// <summary>
/// One sweep as it goes, across its expiry pass and its budget pass: how it removes (for real or not, and
/// who is told of each removal), what it removed so far, and what it passes over.
/// </summary>
internal sealed class SweepTally(bool dryRun, Action<EvictedContent>? removed)
{
    public bool DryRun => dryRun;

    /// <summary>Told of each entry removed, or that a dry run would remove.</summary>
    public Action<EvictedContent>? Removed => removed;

    /// <summary>What a dry run counts as gone: its bytes, which the store still holds.</summary>
    public long Pretended { get; private set; }

    /// <summary>Entries the budget's pick passes over: found in use, or counted as gone by a dry run.</summary>
    public HashSet<StoreHandle> Skip { get; } = [];

    public int Expired { get; private set; }

    public long ExpiredBytes { get; private set; }

    public int Evicted { get; private set; }

    public long EvictedBytes { get; private set; }

    /// <summary>Entries left because they were being read (or used meanwhile, or could not be removed).</summary>
    public int Busy { get; private set; }

    public SweepResult Result => new(Expired, ExpiredBytes, Evicted, EvictedBytes, Busy);

    /// <summary>Counts an entry removed (or, in a dry run, that would be).</summary>
    public void Count(StoreHandle entry, long length, EvictionReason reason)
    {
        if (reason == EvictionReason.Expired)
        {
            Expired++;
            ExpiredBytes += length;
        }
        else
        {
            Evicted++;
            EvictedBytes += length;
        }

        if (dryRun)
        {
            Pretended += length;
            Skip.Add(entry);
        }
    }

    /// <summary>Counts an entry left in place; <paramref name="passOver"/>: the budget's next round passes over it.</summary>
    public void Left(StoreHandle entry, bool passOver)
    {
        Busy++;
        if (passOver)
        {
            Skip.Add(entry);
        }
    }
}
