using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// One of the index's shards: a hash table of <see cref="StoreSlot"/>s chained through their
/// <see cref="StoreSlot.Next"/>, kept in fixed chunks that never move (so a leased slot can be read and
/// updated without the lock), with a free list for removed slots. Lookups, additions and removals hold
/// <see cref="Gate"/>; a slot's last use and readers change by atomic operations.
/// </summary>
internal sealed class IndexShard
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;

    private StoreSlot[][] _chunks = [];
    private int[] _buckets = new int[16];
    private int _free = -1;
    private List<int> _dirty = [];
    private List<int> _taken = [];
    private Dictionary<int, StoredReferences>? _references;
    private Dictionary<int, Digest>? _sha512;

    public Lock Gate { get; } = new();

    /// <summary>Slots handed out so far, free ones included: the range a full pass walks.</summary>
    public int HighWater { get; private set; }

    public int Count { get; private set; }

    /// <summary>No entry here was used before this (in ticks): a sweep passes over a shard whose oldest use is within the ttl.</summary>
    public long OldestUse { get; set; } = long.MaxValue;

    public ref StoreSlot this[int slot] => ref Volatile.Read(ref _chunks)[slot >> ChunkBits][slot & (ChunkSize - 1)];

    /// <summary>The slot of an entry, or -1. Hold <see cref="Gate"/>.</summary>
    public int Find(ContentKind kind, in DigestKey key, Digest? sha512)
    {
        for (var i = _buckets[BucketOf(key, _buckets.Length)] - 1; i >= 0; i = this[i].Next)
        {
            ref var slot = ref this[i];
            if (slot.Kind == kind && key.Matches(slot) && (sha512 is null || _sha512![i] == sha512))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Adds an entry not yet here (see <see cref="Find"/>) and returns its slot. Hold <see cref="Gate"/>.</summary>
    public int Add(ContentKind kind, in DigestKey key, Digest? sha512, long length, long lastUse, DigestKey[]? references, bool guessed)
    {
        if (Count >= _buckets.Length)
        {
            Rehash(_buckets.Length * 2);
        }

        var index = Allocate();
        ref var slot = ref this[index];
        var bucket = BucketOf(key, _buckets.Length);
        slot = new StoreSlot
        {
            H0 = key.H0,
            H1 = key.H1,
            H2 = key.H2,
            H3 = key.H3,
            Length = length,
            LastUse = lastUse,
            Kind = kind,
            Flags = (byte)(StoreSlot.Occupied | (key.IsSha512 ? StoreSlot.Sha512 : 0) | (references is { Length: > 0 } ? StoreSlot.Names : 0) | (guessed ? StoreSlot.Guessed : 0)),
            Next = _buckets[bucket] - 1,
        };
        _buckets[bucket] = index + 1;
        if (key.IsSha512)
        {
            (_sha512 ??= [])[index] = sha512!;
        }

        if (references is { Length: > 0 })
        {
            (_references ??= [])[index] = new StoredReferences(references);
        }

        Count++;
        OldestUse = Math.Min(OldestUse, lastUse);
        return index;
    }

    /// <summary>Unlinks an entry and frees its slot. Hold <see cref="Gate"/>.</summary>
    public void Remove(int index)
    {
        ref var slot = ref this[index];
        var bucket = BucketOf(DigestKey.FromSlot(slot), _buckets.Length);
        if (_buckets[bucket] - 1 == index)
        {
            _buckets[bucket] = slot.Next + 1;
        }
        else
        {
            var previous = _buckets[bucket] - 1;
            while (this[previous].Next != index)
            {
                previous = this[previous].Next;
            }

            this[previous].Next = slot.Next;
        }

        _sha512?.Remove(index);
        _references?.Remove(index);
        slot = new StoreSlot { Next = _free };
        _free = index;
        Count--;
    }

    /// <summary>The whole digest of the entry in <paramref name="index"/>. Hold <see cref="Gate"/>.</summary>
    public Digest DigestOf(int index)
    {
        ref var slot = ref this[index];
        return (slot.Flags & StoreSlot.Sha512) != 0 ? _sha512![index] : DigestKey.FromSlot(slot).ToSha256Digest();
    }

    /// <summary>What the manifest in <paramref name="index"/> names, when its use at <paramref name="ticks"/> is news to carry to them.</summary>
    public DigestKey[]? ReferencesToCarry(int index, long ticks, long interval)
    {
        lock (Gate)
        {
            if (_references?.GetValueOrDefault(index) is not { } references || ticks - references.CarriedAt < interval)
            {
                return null;
            }

            references.CarriedAt = ticks;
            return references.Keys;
        }
    }

    /// <summary>Notes that the entry in <paramref name="index"/> was used, to be saved by the next <see cref="TakeUses"/>.</summary>
    public void MarkUsed(int index)
    {
        lock (Gate)
        {
            ref var slot = ref this[index];
            slot.Flags &= unchecked((byte)~StoreSlot.Guessed);
            if ((slot.Flags & (StoreSlot.Occupied | StoreSlot.Dirty)) == StoreSlot.Occupied)
            {
                slot.Flags |= StoreSlot.Dirty;
                _dirty.Add(index);
            }
        }
    }

    /// <summary>Hands the entries used since the last call to <paramref name="into"/>, each with its last use.</summary>
    public void TakeUses(List<UseRecord> into)
    {
        lock (Gate)
        {
            (_dirty, _taken) = (_taken, _dirty);
            foreach (var index in _taken)
            {
                ref var slot = ref this[index];
                if ((slot.Flags & (StoreSlot.Occupied | StoreSlot.Dirty)) == (StoreSlot.Occupied | StoreSlot.Dirty))
                {
                    slot.Flags &= unchecked((byte)~StoreSlot.Dirty);
                    into.Add(RecordOf(index));
                }
            }

            _taken.Clear();
        }
    }

    /// <summary>Every entry with its last use, for a rewrite of the saved uses. Hold <see cref="Gate"/>.</summary>
    public void AllUses(List<UseRecord> into)
    {
        for (var i = 0; i < HighWater; i++)
        {
            if ((this[i].Flags & StoreSlot.Occupied) != 0)
            {
                into.Add(RecordOf(i));
            }
        }
    }

    /// <summary>What the manifest in <paramref name="index"/> names, or <c>null</c>. Hold <see cref="Gate"/>.</summary>
    public DigestKey[]? ReferencesAt(int index) => _references?.GetValueOrDefault(index)?.Keys;

    /// <summary>The manifests here that name content, with what they name. Hold <see cref="Gate"/>.</summary>
    public IEnumerable<KeyValuePair<int, StoredReferences>> References => _references ?? [];

    private UseRecord RecordOf(int index)
    {
        ref var slot = ref this[index];
        return new UseRecord(slot.Kind, DigestKey.FromSlot(slot), (slot.Flags & StoreSlot.Sha512) != 0 ? _sha512![index] : null, Volatile.Read(ref slot.LastUse));
    }

    private int Allocate()
    {
        if (_free >= 0)
        {
            var index = _free;
            _free = this[index].Next;
            return index;
        }

        if (HighWater == _chunks.Length * ChunkSize)
        {
            var chunks = new StoreSlot[_chunks.Length + 1][];
            _chunks.CopyTo(chunks, 0);
            // Pinned: a chunk is never moved or copied by the GC, and never freed while the shard lives.
            chunks[^1] = GC.AllocateArray<StoreSlot>(ChunkSize, pinned: true);
            Volatile.Write(ref _chunks, chunks);
        }

        return HighWater++;
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        for (var i = 0; i < HighWater; i++)
        {
            ref var slot = ref this[i];
            if ((slot.Flags & StoreSlot.Occupied) != 0)
            {
                var bucket = BucketOf(DigestKey.FromSlot(slot), size);
                slot.Next = buckets[bucket] - 1;
                buckets[bucket] = i + 1;
            }
        }

        _buckets = buckets;
    }

    // The digest's bytes are uniform: the shard is picked by H0, the bucket by H1.
    private static int BucketOf(in DigestKey key, int size) => (int)(key.H1 & (ulong)(size - 1));
}
