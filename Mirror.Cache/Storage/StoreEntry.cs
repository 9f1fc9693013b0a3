using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>One file in the store, as the index knows it: size, and when it was last served.</summary>
internal sealed class StoreEntry(ContentKind kind, Digest digest, long length, DateTimeOffset lastAccess)
{
    private long _lastAccessTicks = lastAccess.UtcTicks;

    public ContentKind Kind { get; } = kind;

    public Digest Digest { get; } = digest;

    public long Length { get; } = length;

    public DateTimeOffset LastAccess => new(Interlocked.Read(ref _lastAccessTicks), TimeSpan.Zero);

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
}
