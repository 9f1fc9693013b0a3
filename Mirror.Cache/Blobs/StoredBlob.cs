using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Blobs;

/// <summary>A committed blob: serve the file, ranges and all.</summary>
public sealed class StoredBlob(StoreLease lease) : BlobLookup(CacheResult.Hit)
{
    public StoreLease Lease { get; } = lease;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Lease.Dispose();
        }

        base.Dispose(disposing);
    }
}
