namespace Mirror.Cache.Storage;

/// <summary>A committed blob held open for one response: eviction leaves it alone until the lease ends.</summary>
internal sealed class StoreLease(StoreEntry entry, string path) : IDisposable
{
    private int _released;

    public string Path { get; } = path;

    public long Length => entry.Length;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            entry.Release();
        }
    }
}
