using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The store's manifests, byte for byte as the upstream sent them, with the media type it sent them as in
/// a file beside each. Manifests are small and asked for often: the most used also stay in memory. With a
/// bucket, a manifest is put there before it is committed here, and one missing here is copied back from there.
/// </summary>
internal sealed class ManifestStore(StoreLayout layout, StoreIndex index, DiskSpace space, IContentBucket bucket, ObjectDeletes deletes, TimeProvider time, ILogger<ManifestStore> logger) : IDisposable
{
    /// <summary>How many bytes of recently served manifests stay in memory.</summary>
    private const long MemoryBytes = 64L * 1024 * 1024;

    private readonly MemoryCache _recent = new(new MemoryCacheOptions { SizeLimit = MemoryBytes });

    /// <summary>Whether a manifest is committed, without recording a use.</summary>
    public bool Contains(Digest digest) =>
        index.TryFind(ContentKind.Manifest, digest) is { } entry ? !entry.IsRetired : File.Exists(layout.PathOf(ContentKind.Manifest, digest));

    /// <summary>
    /// Reads a committed manifest to serve it, and records the use; <c>null</c> when it is not in the store,
    /// or is stored with a type the mirror no longer serves as a manifest (<see cref="ManifestTypes"/>; the
    /// type an upstream gave it before that rule): such a one is a miss, fetched again and checked again.
    /// </summary>
    public async Task<StoredManifest?> TryFindAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = layout.PathOf(ContentKind.Manifest, digest);
        if (index.TryAcquire(ContentKind.Manifest, digest, path, time.GetUtcNow(), StoreScanner.ReferencesOf) is not { } entry)
        {
            return await TryRestoreAsync(digest, cancellationToken);
        }

        var vanished = false;
        try
        {
            // One in memory was checked when it was stored, and is right even if the file has been removed since.
            var found = _recent.TryGetValue(digest, out StoredManifest? remembered) ? remembered : await ReadAsync(digest, path, cancellationToken);
            if (found is null)
            {
                return null;
            }

            index.RecordUse(entry, time.GetUtcNow());
            return found;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            vanished = true;
            return null;
        }
        finally
        {
            // Removed by another process on the store (verify, gc): forgotten, so it is fetched again.
            if (!vanished)
            {
                index.Release(entry);
            }
            else if (index.ForgetVanished(entry, path))
            {
                StorageLog.StoredFileVanished(logger, digest);
            }
        }
    }

    /// <summary>Reads a stored manifest and its type, and keeps it in memory; <c>null</c> when its type is no longer served as a manifest.</summary>
    private async Task<StoredManifest?> ReadAsync(Digest digest, string path, CancellationToken cancellationToken)
    {
        // The type file is committed before the content, so a content file always has one beside it.
        var mediaType = await File.ReadAllTextAsync(StoreLayout.TypePathOf(path), cancellationToken);
        if (!ManifestTypes.IsServed(mediaType))
        {
            StorageLog.StoredManifestTypeRefused(logger, digest, mediaType.Length > 100 ? mediaType[..100] : mediaType);
            return null;
        }

        return Remember(new StoredManifest(digest, mediaType, await File.ReadAllBytesAsync(path, cancellationToken)));
    }

    /// <summary>Stores a manifest that hashes to <paramref name="digest"/>: type file first, then the content, each by temp file and rename.</summary>
    public async Task<CommitResult> StoreAsync(Digest digest, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (!digest.Matches(content.Span))
        {
            return CommitResult.DigestMismatch;
        }

        if (!space.Enough())
        {
            return CommitResult.StoreFault;
        }

        // The bucket first: what a node holds, the bucket holds (under the digest's guard, as a blob's completion).
        await using (bucket.IsEnabled ? await deletes.Guard.HoldAsync(digest, ObjectDeletes.Wait, cancellationToken) : ObjectHold.NotHeld)
        {
            if (!await bucket.PutManifestAsync(digest, mediaType, content, cancellationToken))
            {
                return CommitResult.StoreFault;
            }
        }

        return await CommitLocallyAsync(digest, mediaType, content, cancellationToken);
    }

    /// <summary>
    /// A manifest the bucket holds and this node does not: read, verified, and committed here; <c>null</c>
    /// when the bucket does not hold it, cannot be read, or holds bytes that are not the digest's.
    /// </summary>
    private async Task<StoredManifest?> TryRestoreAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!bucket.IsEnabled || await bucket.GetManifestAsync(digest, cancellationToken) is not { } stored
            || !digest.Matches(stored.Content) || !ManifestTypes.IsServed(stored.MediaType))
        {
            return null;
        }

        var manifest = new StoredManifest(digest, stored.MediaType, stored.Content);
        if (space.Enough())
        {
            await CommitLocallyAsync(digest, stored.MediaType, stored.Content, cancellationToken);
        }

        return manifest;
    }

    private async Task<CommitResult> CommitLocallyAsync(Digest digest, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = layout.PathOf(ContentKind.Manifest, digest);
        try
        {
            await layout.WriteAtomicallyAsync(StoreLayout.TypePathOf(path), System.Text.Encoding.UTF8.GetBytes(mediaType), cancellationToken);
            var temp = await layout.WriteTempAsync(content, cancellationToken);
            lock (index.Gate)
            {
                File.Move(temp, path, overwrite: true);
                index.Add(ContentKind.Manifest, digest, content.Length, time.GetUtcNow(), ManifestReferences.Of(content.Span), used: true);
            }

            Remember(new StoredManifest(digest, mediaType, content));
            return CommitResult.Committed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.StoreWriteFailed(logger, digest, ex);
            return CommitResult.StoreFault;
        }
    }

    /// <summary>Removes a retired manifest's files and forgets it.</summary>
    public void Remove(StoreHandle entry, Digest digest, DateTimeOffset lastUse)
    {
        var path = layout.PathOf(ContentKind.Manifest, digest);
        lock (index.Gate)
        {
            File.Delete(path);
            File.Delete(StoreLayout.TypePathOf(path));
            _recent.Remove(digest);
            index.Remove(entry);
        }

        if (bucket.IsEnabled)
        {
            _ = deletes.DeleteAsync(digest, manifest: true, ObjectDeletes.WrittenBy(lastUse), CancellationToken.None);
        }
    }

    public void Dispose() => _recent.Dispose();

    private StoredManifest Remember(StoredManifest manifest)
    {
        _recent.Set(manifest.Digest, manifest, new MemoryCacheEntryOptions { Size = manifest.Content.Length + manifest.MediaType.Length });
        return manifest;
    }
}
