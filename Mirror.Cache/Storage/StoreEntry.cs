using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>
/// One file in the store, as the index knows it: size, when it was last served, what it refers to (for a
/// manifest), and how many responses are reading it now. A retired entry is being removed and can no
/// longer be leased.
/// </summary>
internal sealed class StoreEntry(ContentKind kind, Digest digest, long length, DateTimeOffset lastAccess, IReadOnlyList<Digest> references)
{
    private const int Retired = -1;

    private long _lastAccessTicks = lastAccess.UtcTicks;
    private int _readers;

    public ContentKind Kind { get; } = kind;

    public Digest Digest { get; } = digest;

    public long Length { get; } = length;

    /// <summary>For a manifest, the digests it names: config and layers, or the manifests of a list.</summary>
    public IReadOnlyList<Digest> References { get; } = references;

    public DateTimeOffset LastAccess => new(Interlocked.Read(ref _lastAccessTicks), TimeSpan.Zero);

    public bool IsRetired => Volatile.Read(ref _readers) == Retired;

    /// <summary>Moves the last access forward to <paramref name="now"/> (never back).</summary>
    public void Touch(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var current = Interlocked.Read(ref _lastAccessTicks);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _lastAccessTicks, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Starts a read; false when the entry is being removed.</summary>
    public bool TryAcquire()
    {
        var readers = Volatile.Read(ref _readers);
        while (readers != Retired)
        {
            var seen = Interlocked.CompareExchange(ref _readers, readers + 1, readers);
            if (seen == readers)
            {
                return true;
            }

            readers = seen;
        }

        return false;
    }

    public void Release() => Interlocked.Decrement(ref _readers);

    /// <summary>Marks the entry for removal if nothing reads it; from then on it cannot be acquired.</summary>
    public bool TryRetire() => Interlocked.CompareExchange(ref _readers, Retired, 0) == 0;

    /// <summary>Takes a retirement back, when the files could not be removed after all.</summary>
    public void Unretire() => Interlocked.CompareExchange(ref _readers, 0, Retired);
}
