namespace Mirror.Cache.Storage;

/// <summary>
/// Finds what a sweep removes without a list of the whole store: a pass over the index's plain arrays that
/// allocates only for what it picks. Expiry passes over every shard whose oldest use is within the ttl, so
/// a sweep that removes nothing costs one comparison per shard; the size budget, only when the store is
/// past it, keeps the least recently used entries that make up the excess in a heap.
/// </summary>
internal static class EvictionCandidates
{
    /// <summary>Whether the entry of <paramref name="key"/> is pinned, and never a candidate.</summary>
    public delegate bool PinnedTest(in DigestKey key);

    /// <summary>Entries last used before <paramref name="cutoff"/> (UTC ticks), not being removed already.</summary>
    public static void UnusedBefore(StoreIndex index, long cutoff, List<StoreHandle> into)
    {
        for (var s = 0; s < index.Shards.Count; s++)
        {
            var shard = index.Shards[s];
            lock (shard.Gate)
            {
                if (shard.OldestUse >= cutoff)
                {
                    continue;
                }

                var oldest = long.MaxValue;
                for (var i = 0; i < shard.HighWater; i++)
                {
                    ref var slot = ref shard[i];
                    if ((slot.Flags & StoreSlot.Occupied) == 0)
                    {
                        continue;
                    }

                    var lastUse = Volatile.Read(ref slot.LastUse);
                    if (lastUse < cutoff && Volatile.Read(ref slot.Readers) != StoreSlot.Retired)
                    {
                        into.Add(new StoreHandle(s, i));
                    }
                    else
                    {
                        oldest = Math.Min(oldest, lastUse);
                    }
                }

                // What the sweep cannot remove (being read) lowers this again (StoreEvictor).
                shard.OldestUse = oldest;
            }
        }
    }

    /// <summary>
    /// The least recently used entries whose lengths add up to at least <paramref name="bytes"/>, oldest first,
    /// leaving out those in <paramref name="skip"/> (found in use by an earlier round of the same sweep) and
    /// those <paramref name="pinned"/> says are pinned.
    /// </summary>
    public static void LeastRecentlyUsed(StoreIndex index, long bytes, HashSet<StoreHandle> skip, PinnedTest pinned, List<StoreHandle> into)
    {
        // A max-heap on last use (the priority is negated) of the oldest entries found so far that cover the bytes.
        var picked = new PriorityQueue<(StoreHandle Handle, long Length), long>();
        var total = 0L;
        for (var s = 0; s < index.Shards.Count; s++)
        {
            var shard = index.Shards[s];
            lock (shard.Gate)
            {
                for (var i = 0; i < shard.HighWater; i++)
                {
                    ref var slot = ref shard[i];
                    if ((slot.Flags & StoreSlot.Occupied) == 0 || Volatile.Read(ref slot.Readers) == StoreSlot.Retired)
                    {
                        continue;
                    }

                    var lastUse = Volatile.Read(ref slot.LastUse);
                    if (total >= bytes && picked.TryPeek(out _, out var newest) && lastUse >= -newest)
                    {
                        continue;
                    }

                    var handle = new StoreHandle(s, i);
                    if (skip.Contains(handle) || pinned(DigestKey.FromSlot(slot)))
                    {
                        continue;
                    }

                    total = Keep(picked, total, bytes, handle, slot.Length, lastUse);
                }
            }
        }

        var start = into.Count;
        while (picked.TryDequeue(out var entry, out _))
        {
            into.Add(entry.Handle);
        }

        into.Reverse(start, into.Count - start);
    }

    /// <summary>Adds an entry to the heap, then drops the most recently used while the rest still cover <paramref name="bytes"/>; returns their total.</summary>
    private static long Keep(PriorityQueue<(StoreHandle Handle, long Length), long> picked, long total, long bytes, StoreHandle handle, long length, long lastUse)
    {
        picked.Enqueue((handle, length), -lastUse);
        total += length;
        while (picked.TryPeek(out var top, out _) && total - top.Length >= bytes)
        {
            total -= top.Length;
            picked.Dequeue();
        }

        return total;
    }
}
