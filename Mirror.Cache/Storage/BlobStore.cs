using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The store's blobs: leased for reading, written through a <see cref="BlobWriter"/> into <c>tmp/</c>, and
/// committed by renaming the verified file under its digest.
/// </summary>
internal sealed class BlobStore(StoreLayout layout, StoreIndex index, DiskSpace space, TimeProvider time, ILogger<BlobStore> logger)
{
    /// <summary>Where a committed blob is (in a cluster, where another node's commit appears).</summary>
    public string CommittedPath(Digest digest) => layout.PathOf(ContentKind.Blob, digest);

    /// <summary>Whether a blob is committed, without recording a use.</summary>
    public bool Contains(Digest digest) =>
        index.TryFind(ContentKind.Blob, digest) is { } entry ? !entry.IsRetired : File.Exists(layout.PathOf(ContentKind.Blob, digest));

    /// <summary>
    /// Leases a committed blob for one response; <c>null</c> when it is not in the store, or is being removed.
    /// The use is recorded by <see cref="Serve"/>, once the blob is going to be served.
    /// </summary>
    public StoreLease? TryOpen(Digest digest)
    {
        var path = layout.PathOf(ContentKind.Blob, digest);
        if (index.TryAcquire(ContentKind.Blob, digest, path, time.GetUtcNow()) is not { } entry)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            // Removed by another process on the store (another node's sweep, verify took a corrupt file away, gc expired it): not
            // served from nothing, but fetched again.
            if (index.ForgetVanished(entry, path))
            {
                StorageLog.StoredFileVanished(logger, digest);
            }

            return null;
        }

        return new StoreLease(index, entry, path);
    }

    /// <summary>Records the use of a blob about to be served.</summary>
    public StoreLease Serve(StoreLease lease)
    {
        lease.Used(time.GetUtcNow());
        return lease;
    }

    /// <summary>Opens a temp file for a blob, or <c>null</c> when the store cannot (or must not: low disk space) be written.</summary>
    public BlobWriter? TryCreateWriter(Digest digest)
    {
        if (!space.Enough())
        {
            return null;
        }

        try
        {
            return new BlobWriter(digest, layout.NewTempPath(), layout.PathOf(ContentKind.Blob, digest), logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.StoreWriteFailed(logger, digest, ex);
            return null;
        }
    }

    /// <summary>Renames a fill's verified temp file into place under its digest.</summary>
    public CommitResult Commit(BlobWriter writer)
    {
        lock (index.Gate)
        {
            var result = writer.MoveIntoPlace();
            if (result == CommitResult.Committed)
            {
                index.Add(ContentKind.Blob, writer.Digest, writer.Length, time.GetUtcNow(), references: null, used: true);
            }

            return result;
        }
    }

    /// <summary>Removes a retired blob's file and forgets it.</summary>
    public void Remove(StoreHandle entry, Digest digest)
    {
        lock (index.Gate)
        {
            File.Delete(layout.PathOf(ContentKind.Blob, digest));
            index.Remove(entry);
        }
    }
}
