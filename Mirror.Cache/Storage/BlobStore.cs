using Microsoft.Extensions.Logging;
using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The store's blobs: leased for reading, written through a <see cref="BlobWriter"/> into <c>tmp/</c>, and
/// committed by renaming the verified file under its digest. With a bucket (<see cref="IContentBucket"/>), a
/// writer uploads as it writes, the commit completes that upload before the rename (so what a node holds, the
/// bucket holds), and a blob missing here is copied back from the bucket, verified, before it is served. The
/// completion holds the digest's guard, which a sweep deleting the object holds too (<see cref="ObjectDeletes"/>).
/// </summary>
internal sealed class BlobStore(StoreLayout layout, StoreIndex index, DiskSpace space, IContentBucket bucket, ObjectDeletes deletes, TimeProvider time, ILogger<BlobStore> logger)
{
    private const int CopyChunk = 256 * 1024;

    /// <summary>The bucket behind the store (<see cref="NoBucket"/> on the filesystem alone).</summary>
    public IContentBucket Bucket => bucket;

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
    public BlobWriter? TryCreateWriter(Digest digest) => TryCreateWriter(digest, upload: true);

    /// <summary>Opens a temp file for a blob that is not uploaded into the bucket (a copy of what another node fills); <c>null</c> as <see cref="TryCreateWriter(Digest)"/>.</summary>
    public BlobWriter? TryCreateLocalWriter(Digest digest) => TryCreateWriter(digest, upload: false);

    private BlobWriter? TryCreateWriter(Digest digest, bool upload)
    {
        if (!space.Enough())
        {
            return null;
        }

        try
        {
            return new BlobWriter(digest, layout.NewTempPath(), layout.PathOf(ContentKind.Blob, digest), logger, upload ? file => bucket.StartUpload(digest, file) : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.StoreWriteFailed(logger, digest, ex);
            return null;
        }
    }

    /// <summary>
    /// Completes a fill's upload into the bucket, if any, then renames its verified temp file into place under
    /// its digest; a bucket that cannot take it is a store fault, and nothing is committed.
    /// </summary>
    public async Task<CommitResult> CommitAsync(BlobWriter writer, CancellationToken cancellationToken)
    {
        if (writer.Upload is { } upload)
        {
            // Waited for, but not required: without it the completion goes on, as a node alone does.
            await using var hold = await deletes.Guard.HoldAsync(writer.Digest, ObjectDeletes.Wait, cancellationToken);
            if (!await upload.CompleteAsync(writer.Length, cancellationToken))
            {
                return CommitResult.StoreFault;
            }
        }

        return Commit(writer);
    }

    private CommitResult Commit(BlobWriter writer)
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

    /// <summary>
    /// Removes a retired blob's file and forgets it; with a bucket, its object goes too, in the background (a
    /// delete that fails is logged and leaves an object nothing serves until it is filled again).
    /// </summary>
    /// <remarks>An object written after <paramref name="lastUse"/> is a refill the sweep did not know of, and is kept.</remarks>
    public void Remove(StoreHandle entry, Digest digest, DateTimeOffset lastUse)
    {
        lock (index.Gate)
        {
            File.Delete(layout.PathOf(ContentKind.Blob, digest));
            index.Remove(entry);
        }

        if (bucket.IsEnabled)
        {
            _ = deletes.DeleteAsync(digest, manifest: false, ObjectDeletes.WrittenBy(lastUse), CancellationToken.None);
        }
    }

    /// <summary>
    /// Copies a blob the bucket holds and this node does not into the store, verifying its digest and length
    /// on the way, and leases it; <c>null</c> when the bucket does not hold it (or cannot be read), or the copy
    /// does not verify.
    /// </summary>
    public async Task<StoreLease?> TryRestoreAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!bucket.IsEnabled || await bucket.LengthOfBlobAsync(digest, cancellationToken) is not { } length
            || await bucket.OpenBlobAsync(digest, cancellationToken) is not { } body)
        {
            return null;
        }

        await using (body)
        {
            using var writer = TryCreateWriter(digest, upload: false);
            if (writer is null || !await CopyAsync(body, writer, digest, cancellationToken) || writer.Verify(length) != CommitResult.Committed)
            {
                return null;
            }

            Commit(writer);
        }

        return TryOpen(digest);
    }

    private async Task<bool> CopyAsync(Stream body, BlobWriter writer, Digest digest, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                writer.Hash(buffer.AsSpan(0, read));
                writer.Append(buffer.AsSpan(0, read));
            }

            return true;
        }
        catch (Exception ex) when (S3Bucket.IsFault(ex))
        {
            StorageLog.StoreWriteFailed(logger, digest, ex);
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
