namespace Mirror.Cache.Storage;

/// <summary>A committed blob held open for one response: eviction leaves it alone until the lease ends.</summary>
public sealed class StoreLease : IDisposable
{
    private readonly StoreEntry _entry;
    private int _released;

    internal StoreLease(StoreEntry entry, string path)
    {
        _entry = entry;
        Path = path;
    }

    /// <summary>The committed file, to be served as it is.</summary>
    public string Path { get; }

    public long Length => _entry.Length;

    /// <summary>Records that the blob is being served, for expiry and the size budget.</summary>
    internal void Used(DateTimeOffset now) => _entry.Touch(now);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _entry.Release();
        }
    }
}
