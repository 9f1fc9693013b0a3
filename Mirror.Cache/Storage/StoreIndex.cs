using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// What the store holds, in memory: every committed file with its length, its last use, and for a manifest
/// what it names, as 64 bytes of plain data per file in <see cref="IndexShard"/>s. Built by one scan at
/// start (<see cref="StoreScanner"/>) and kept current by commits and removals, which hold <see cref="Gate"/>
/// so that a file and its entry come and go together; nothing walks the disk per request or per scrape.
/// The index finds, adds, leases and retires entries; their last uses are kept by <see cref="StoreUses"/>.
/// </summary>
/// <remarks>
/// This is one node's copy of the facts, and assumes no more (#10: in a cluster they also live in a shared
/// service, and other nodes add, use and remove content): content it does not hold may still be on disk,
/// and is indexed when found there (<see cref="TryAcquire"/>); an addition of content already known counts
/// once; a use learnt from elsewhere (<see cref="MergeUse"/>: the journal at start, another node later) is
/// merged by keeping the latest, so uses arriving in any order agree; the uses made here are handed out in
/// batches (<see cref="TakeUses"/>) to whatever keeps them (<see cref="IUseLog"/>).
/// </remarks>
public sealed class StoreIndex : IStoreSize
{
    private const int ShardBits = 6;

    private readonly IndexShard[] _shards = Enumerable.Range(0, 1 << ShardBits).Select(_ => new IndexShard()).ToArray();
    private readonly StoreUses _uses;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private long _blobs;
    private long _manifests;

    public StoreIndex() => _uses = new StoreUses(_shards);

    /// <summary>Raised after content was added: the size budget is enforced promptly, and tests wait for commits.</summary>
    internal event Action<ContentKind, DigestKey>? Added;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Blobs => Interlocked.Read(ref _blobs);

    public long Manifests => Interlocked.Read(ref _manifests);

    /// <summary>Completes when the start-up scan has walked the whole store; faulted with its error if it failed.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Held by commits and removals, so a file and its entry change together.</summary>
    internal Lock Gate { get; } = new();

    internal IReadOnlyList<IndexShard> Shards => _shards;

    /// <summary>
    /// Adds a file; one already known (committed twice, or found by the scan after a request found it)
    /// counts once. <paramref name="used"/>: the addition is a use (a commit), saved and carried to what a
    /// manifest names; a file found by the scan is not, and its last write stands for its last use only
    /// until a saved use is merged.
    /// </summary>
    internal StoreHandle Add(ContentKind kind, Digest digest, long length, DateTimeOffset lastUse, IReadOnlyList<Digest>? references, bool used) =>
        Add(kind, DigestKey.Of(digest), digest.Algorithm == "sha512" ? digest : null, length, lastUse.UtcTicks, references?.Select(DigestKey.Of).ToArray(), used);

    internal StoreHandle Add(ContentKind kind, in DigestKey key, Digest? sha512, long length, long lastUse, DigestKey[]? references, bool used)
    {
        var shard = ShardOf(key);
        int slot;
        lock (_shards[shard].Gate)
        {
            slot = _shards[shard].Find(kind, key, sha512);
            if (slot >= 0)
            {
                return new StoreHandle(shard, slot);
            }

            slot = _shards[shard].Add(kind, key, sha512, length, lastUse, references, guessed: !used);
            Interlocked.Add(ref _bytes, length);
            Interlocked.Increment(ref kind == ContentKind.Blob ? ref _blobs : ref _manifests);
        }

        var handle = new StoreHandle(shard, slot);
        if (used)
        {
            _uses.Record(handle, lastUse, save: true);
        }

        Added?.Invoke(kind, key);
        return handle;
    }

    /// <summary>Forgets a retired entry, whose files are gone. Hold <see cref="Gate"/>.</summary>
    internal void Remove(StoreHandle handle)
    {
        var shard = _shards[handle.Shard];
        lock (shard.Gate)
        {
            ref var slot = ref shard[handle.Slot];
            Interlocked.Add(ref _bytes, -slot.Length);
            Interlocked.Decrement(ref slot.Kind == ContentKind.Blob ? ref _blobs : ref _manifests);
            shard.Remove(handle.Slot);
        }
    }

    /// <summary>What this index holds of a file, as it is now; <c>null</c> when it holds nothing.</summary>
    internal StoreEntry? TryFind(ContentKind kind, Digest digest)
    {
        var key = DigestKey.Of(digest);
        var shard = _shards[ShardOf(key)];
        lock (shard.Gate)
        {
            var slot = shard.Find(kind, key, digest.Algorithm == "sha512" ? digest : null);
            if (slot < 0)
            {
                return null;
            }

            ref var found = ref shard[slot];
            return new StoreEntry(kind, digest, found.Length, new DateTimeOffset(Volatile.Read(ref found.LastUse), TimeSpan.Zero), Volatile.Read(ref found.Readers) == StoreSlot.Retired);
        }
    }

    /// <summary>
    /// Finds a committed file (indexing one the index does not hold yet: the start-up scan has not reached
    /// it, or in a cluster another node wrote it) and leases it against removal; <c>null</c> when it is not
    /// there or is being removed. The use is recorded by the caller (<see cref="RecordUse"/>) once it serves
    /// the file: a request refused after the look-up is no pull.
    /// </summary>
    internal StoreHandle? TryAcquire(ContentKind kind, Digest digest, string path, DateTimeOffset now, Func<string, IReadOnlyList<Digest>>? references = null)
    {
        var key = DigestKey.Of(digest);
        var sha512 = digest.Algorithm == "sha512" ? digest : null;
        var shardIndex = ShardOf(key);
        var shard = _shards[shardIndex];
        lock (shard.Gate)
        {
            var slot = shard.Find(kind, key, sha512);
            if (slot >= 0)
            {
                return TryLease(ref shard[slot]) ? new StoreHandle(shardIndex, slot) : null;
            }
        }

        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return null;
        }

        var handle = Add(kind, key, sha512, file.Length, now.UtcTicks, references?.Invoke(path).Select(DigestKey.Of).ToArray(), used: false);
        lock (_shards[handle.Shard].Gate)
        {
            // Found now, to be served now: no guess.
            _shards[handle.Shard][handle.Slot].Flags &= unchecked((byte)~StoreSlot.Guessed);
        }

        return TryLease(ref SlotOf(handle)) ? handle : null;
    }

    /// <summary>
    /// Ends a lease of <see cref="TryAcquire"/> whose file was found gone: removed by another process on the
    /// store (the command line's <c>verify</c> or <c>gc</c>, or a hand). The entry is forgotten, unless it is
    /// read by others or its file is back (committed again meanwhile), so the content is fetched again rather
    /// than looked up in vain; true when it was forgotten.
    /// </summary>
    internal bool ForgetVanished(StoreHandle handle, string path)
    {
        // Retired while still leased, by this lease alone: let go first, and a sweep could remove the entry
        // and a commit reuse its slot before it is retired here, which would then forget another file.
        if (Interlocked.CompareExchange(ref SlotOf(handle).Readers, StoreSlot.Retired, 1) != 1)
        {
            Release(handle);
            return false;
        }

        lock (Gate)
        {
            if (File.Exists(path))
            {
                Unretire(handle);
                return false;
            }

            Remove(handle);
            return true;
        }
    }

    /// <summary>Ends a lease of <see cref="TryAcquire"/>.</summary>
    internal void Release(StoreHandle handle) => Interlocked.Decrement(ref SlotOf(handle).Readers);

    internal long LengthOf(StoreHandle handle) => SlotOf(handle).Length;

    /// <summary>
    /// Records a use of a leased entry: its last use moves forward (never back), it is saved with the next
    /// batch, and a manifest's use is carried to what it names (a list's to its manifests and their layers),
    /// so content shared between images goes only when none of them is used.
    /// </summary>
    internal void RecordUse(StoreHandle handle, DateTimeOffset now) => _uses.Record(handle, now.UtcTicks, save: true);

    /// <summary>
    /// Merges a use learnt from elsewhere (saved before, or made on another node): the later of the two
    /// wins, but a saved use replaces a file's last write; content not held is passed over.
    /// </summary>
    internal void MergeUse(ContentKind kind, in DigestKey key, Digest? sha512, long ticks) => _uses.Merge(kind, key, sha512, ticks);

    /// <summary>Carries every manifest's last use to what it names, once the scan and the saved uses are in (content found after its manifest was used gets that use).</summary>
    internal void CarryAllUses() => _uses.CarryAll();

    /// <summary>Hands the entries used since the last call, with their last use, to <paramref name="into"/>.</summary>
    internal void TakeUses(List<UseRecord> into) => _uses.Take(into);

    /// <summary>Lets the next expiry pass look at an entry a sweep picked but left (being read, used meanwhile, or not removable).</summary>
    internal void KeepForNextSweep(StoreHandle handle) => _uses.KeepForNextSweep(handle);

    /// <summary>Marks an entry for removal if nothing reads it; from then on it cannot be leased.</summary>
    internal bool TryRetire(StoreHandle handle) => Interlocked.CompareExchange(ref SlotOf(handle).Readers, StoreSlot.Retired, 0) == 0;

    /// <summary>Takes a retirement back, when the files could not be removed after all.</summary>
    internal void Unretire(StoreHandle handle) => Interlocked.CompareExchange(ref SlotOf(handle).Readers, 0, StoreSlot.Retired);

    /// <summary>Kind, digest, length and last use of an entry (its digest is made only here, for the few a sweep removes).</summary>
    internal (ContentKind Kind, Digest Digest, long Length, long LastUse) Describe(StoreHandle handle)
    {
        var shard = _shards[handle.Shard];
        lock (shard.Gate)
        {
            ref var slot = ref shard[handle.Slot];
            return (slot.Kind, shard.DigestOf(handle.Slot), slot.Length, Volatile.Read(ref slot.LastUse));
        }
    }

    /// <summary>The key of an entry (what pins are kept by).</summary>
    internal DigestKey KeyOf(StoreHandle handle)
    {
        var shard = _shards[handle.Shard];
        lock (shard.Gate)
        {
            return DigestKey.FromSlot(shard[handle.Slot]);
        }
    }

    /// <summary>The length of an entry this index holds; <c>null</c> when it holds none.</summary>
    internal long? LengthOf(ContentKind kind, in DigestKey key)
    {
        var shard = _shards[ShardOf(key)];
        lock (shard.Gate)
        {
            var slot = shard.Find(kind, key, null);
            return slot < 0 ? null : shard[slot].Length;
        }
    }

    /// <summary>What the manifest <paramref name="key"/> names, as the index holds it; <c>null</c> when the index holds no such manifest.</summary>
    internal DigestKey[]? NamedBy(in DigestKey key)
    {
        var shard = _shards[ShardOf(key)];
        lock (shard.Gate)
        {
            var slot = shard.Find(ContentKind.Manifest, key, null);
            return slot < 0 ? null : shard.ReferencesAt(slot) ?? [];
        }
    }

    /// <summary>Completes when <paramref name="digest"/> is committed: the store's commit signal.</summary>
    internal async Task WhenCommittedAsync(ContentKind kind, Digest digest, CancellationToken cancellationToken)
    {
        var key = DigestKey.Of(digest);
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAdded(ContentKind addedKind, DigestKey added)
        {
            if (addedKind == kind && added == key)
            {
                committed.TrySetResult();
            }
        }

        Added += OnAdded;
        try
        {
            if (TryFind(kind, digest) is null)
            {
                await committed.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Added -= OnAdded;
        }
    }

    internal void MarkLoaded(Exception? failure)
    {
        if (failure is null)
        {
            _loaded.TrySetResult();
        }
        else
        {
            _loaded.TrySetException(failure);
        }
    }

    /// <summary>The shard of an entry: the digest's bytes are uniform, so its top bits.</summary>
    internal static int ShardOf(in DigestKey key) => (int)(key.H0 >> (64 - ShardBits));

    private static bool TryLease(ref StoreSlot slot)
    {
        var readers = Volatile.Read(ref slot.Readers);
        while (readers != StoreSlot.Retired)
        {
            var seen = Interlocked.CompareExchange(ref slot.Readers, readers + 1, readers);
            if (seen == readers)
            {
                return true;
            }

            readers = seen;
        }

        return false;
    }

    private ref StoreSlot SlotOf(StoreHandle handle) => ref _shards[handle.Shard][handle.Slot];
}
