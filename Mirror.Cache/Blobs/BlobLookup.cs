using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>
/// The cache's answer for a blob: stored (a leased file), filling (a reader of the fill), described (a
/// length, for a HEAD the store could not answer), or failed (the upstream's status). Disposing releases
/// what the answer holds.
/// </summary>
public abstract class BlobLookup : IDisposable
{
    private protected BlobLookup(CacheResult result) => Result = result;

    public CacheResult Result { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
