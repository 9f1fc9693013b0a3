namespace Mirror.Cache.Storage;

/// <summary>
/// One file in the index, as 64 bytes of plain data in a shard's array (no object, no string, no
/// dictionary node): the digest's 32 bytes, the length, the last use in ticks, how many responses read it
/// now, the next slot in its hash chain (or in the free list), the kind and some flags.
/// </summary>
internal struct StoreSlot
{
    /// <summary>The slot holds an entry (else it is free).</summary>
    public const byte Occupied = 1;

    /// <summary>The entry's digest is <c>sha512</c>; the shard keeps the whole digest beside it.</summary>
    public const byte Sha512 = 2;

    /// <summary>The entry was used since the last save, and is in its shard's list of uses to save.</summary>
    public const byte Dirty = 4;

    /// <summary>The entry is a manifest that names other content (its shard keeps what).</summary>
    public const byte Names = 8;

    /// <summary>The last use is the file's last write, a guess until a saved use replaces it.</summary>
    public const byte Guessed = 16;

    /// <summary><see cref="Readers"/> of an entry being removed: it can no longer be leased.</summary>
    public const int Retired = -1;

    public ulong H0;
    public ulong H1;
    public ulong H2;
    public ulong H3;
    public long Length;

    /// <summary>UTC ticks of the last use; only ever raised.</summary>
    public long LastUse;

    public int Readers;
    public int Next;
    public ContentKind Kind;
    public byte Flags;
}
