namespace Mirror.Cache.Storage;

/// <summary>A committed blob held open for one response: eviction leaves it alone until the lease ends.</summary>
public sealed class StoreLease : IDisposable
{
    private readonly StoreIndex _index;
    private readonly StoreHandle _entry;
    private int _released;

    internal StoreLease(StoreIndex index, StoreHandle entry, string path)
    {
        _index = index;
        _entry = entry;
        Path = path;
        Length = index.LengthOf(entry);
    }

    /// <summary>The committed file, to be served as it is.</summary>
    public string Path { get; }

    public long Length { get; }

    /// <summary>Records that the blob is being served, for expiry and the size budget.</summary>
    internal void Used(DateTimeOffset now) => _index.RecordUse(_entry, now);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _index.Release(_entry);
        }
    }
}
