using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>A blob arriving from the upstream: stream it from the fill, as its bytes arrive.</summary>
public sealed class FillingBlob(FillReader reader, CacheResult result) : BlobLookup(result)
{
    public FillReader Reader { get; } = reader;

    /// <summary>The blob's length, when the upstream announced it.</summary>
    public long? Length => Reader.Length;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Reader.Dispose();
        }

        base.Dispose(disposing);
    }
}
