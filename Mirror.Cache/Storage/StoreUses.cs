using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The index's use tracking, on the slots of its shards: each entry's last use, only ever raised; a
/// manifest's use carried to what it names, so content shared between images goes only when none of them
/// is used; the uses made here collected per shard for the next batch (<see cref="Take"/>); and uses learnt
/// from elsewhere (the journal at start, another node later) merged by keeping the latest, so uses arriving
/// in any order agree.
/// </summary>
internal sealed class StoreUses(IndexShard[] shards)
{
    /// <summary>How deep a manifest's use is carried: a list names manifests, which name config and layers.</summary>
    private const int CarryDepth = 2;

    private static readonly long CarryInterval = TimeSpan.TicksPerSecond;

    /// <summary>
    /// A use of an entry that is leased, or just added: its last use moves forward (never back), and a
    /// manifest's use is carried to what it names. <paramref name="save"/>: made here, so saved with the next batch.
    /// </summary>
    public void Record(StoreHandle handle, long ticks, bool save) => Use(handle, ticks, CarryDepth, save);

    /// <summary>
    /// Merges a use learnt from elsewhere: the later of the two wins, but a saved use replaces a file's last
    /// write; content not held is passed over.
    /// </summary>
    public void Merge(ContentKind kind, in DigestKey key, Digest? sha512, long ticks)
    {
        var shard = shards[StoreIndex.ShardOf(key)];
        lock (shard.Gate)
        {
            var found = shard.Find(kind, key, sha512);
            if (found < 0)
            {
                return;
            }

            ref var slot = ref shard[found];
            if ((slot.Flags & StoreSlot.Guessed) != 0)
            {
                slot.Flags &= unchecked((byte)~StoreSlot.Guessed);
                Volatile.Write(ref slot.LastUse, ticks);
                shard.OldestUse = Math.Min(shard.OldestUse, ticks);
            }
            else
            {
                Raise(ref slot.LastUse, ticks);
            }
        }
    }

    /// <summary>Carries every manifest's last use to what it names (content found after its manifest was used gets that use).</summary>
    public void CarryAll()
    {
        var manifests = new List<(StoreHandle Handle, long LastUse)>();
        for (var i = 0; i < shards.Length; i++)
        {
            lock (shards[i].Gate)
            {
                foreach (var (slot, _) in shards[i].References)
                {
                    manifests.Add((new StoreHandle(i, slot), Volatile.Read(ref shards[i][slot].LastUse)));
                }
            }
        }

        foreach (var (handle, lastUse) in manifests)
        {
            Use(handle, lastUse, CarryDepth, save: false);
        }
    }

    /// <summary>Hands the entries used since the last call, with their last use, to <paramref name="into"/>.</summary>
    public void Take(List<UseRecord> into)
    {
        foreach (var shard in shards)
        {
            shard.TakeUses(into);
        }
    }

    /// <summary>Lets the next expiry pass look at an entry a sweep picked but left (being read, used meanwhile, or not removable).</summary>
    public void KeepForNextSweep(StoreHandle handle)
    {
        var shard = shards[handle.Shard];
        lock (shard.Gate)
        {
            shard.OldestUse = Math.Min(shard.OldestUse, Volatile.Read(ref shard[handle.Slot].LastUse));
        }
    }

    private void Use(StoreHandle handle, long ticks, int depth, bool save)
    {
        var shard = shards[handle.Shard];
        ref var slot = ref shard[handle.Slot];
        Raise(ref slot.LastUse, ticks);
        if (save && (Volatile.Read(ref slot.Flags) & StoreSlot.Dirty) == 0)
        {
            shard.MarkUsed(handle.Slot);
        }

        if ((Volatile.Read(ref slot.Flags) & StoreSlot.Names) != 0 && shard.ReferencesToCarry(handle.Slot, ticks, CarryInterval) is { } named)
        {
            Carry(named, ticks, depth, save);
        }
    }

    /// <summary>Carries a manifest's use to what it names, by digest whatever its kind (a list names manifests, a manifest blobs).</summary>
    private void Carry(DigestKey[] named, long ticks, int depth, bool save)
    {
        foreach (var key in named)
        {
            var shard = shards[StoreIndex.ShardOf(key)];
            DigestKey[]? further;
            lock (shard.Gate)
            {
                // Under the lock, since these entries are not leased: one may be removed, and its slot reused, at any time.
                further = CarryInto(shard, key, ticks, depth, save);
            }

            if (further is not null)
            {
                Carry(further, ticks, depth - 1, save);
            }
        }
    }

    /// <summary>Raises the entries of <paramref name="key"/> in <paramref name="shard"/>, whatever their kind; what the last names, when it is carried further. Hold the shard's gate.</summary>
    private static DigestKey[]? CarryInto(IndexShard shard, in DigestKey key, long ticks, int depth, bool save)
    {
        DigestKey[]? further = null;
        foreach (var kind in (ReadOnlySpan<ContentKind>)[ContentKind.Blob, ContentKind.Manifest])
        {
            var found = shard.Find(kind, key, null);
            if (found < 0)
            {
                continue;
            }

            Raise(ref shard[found].LastUse, ticks);
            if (save)
            {
                shard.MarkUsed(found);
            }

            if (depth > 1 && (shard[found].Flags & StoreSlot.Names) != 0)
            {
                further = shard.ReferencesToCarry(found, ticks, CarryInterval);
            }
        }

        return further;
    }

    private static void Raise(ref long lastUse, long ticks)
    {
        var current = Interlocked.Read(ref lastUse);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref lastUse, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
