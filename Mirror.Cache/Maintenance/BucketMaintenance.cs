using System.Buffers;
using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// <c>verify</c> and <c>gc</c> on the bucket of <c>storage.s3</c>: every object re-hashed against the digest its
/// key names (one that does not match is deleted: nothing but verified bytes goes in under a digest, so it is
/// damage), and the blobs no stored manifest names, written longer ago than a grace period, deleted. Objects
/// are read and deleted through the bucket's own client, beside the nodes serving from it, which fetch a
/// deleted object's content again when next asked for it.
/// </summary>
internal sealed class BucketMaintenance(IContentBucket bucket)
{
    private const int BufferSize = 1024 * 1024;

    /// <summary>Every object that names content, as <see cref="StoredContent"/>, with when it was written.</summary>
    public async IAsyncEnumerable<(StoredContent Content, DateTimeOffset Written)> ContentsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in bucket.ListAsync(cancellationToken))
        {
            yield return (new StoredContent(item.IsManifest ? ContentKind.Manifest : ContentKind.Blob, item.Digest, item.Length), item.LastModified);
        }
    }

    /// <summary>Re-hashes one object; deletes it when its bytes do not hash to its digest.</summary>
    public async Task<VerifiedFile> VerifyAsync(StoredContent content, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        var manifest = content.Kind == ContentKind.Manifest;
        Digest? actual;
        try
        {
            actual = manifest
                ? await bucket.GetManifestAsync(content.Digest, cancellationToken) is var (_, bytes) ? Hash(bytes, content.Digest, hashed) : null
                : await bucket.OpenBlobAsync(content.Digest, cancellationToken) is { } body ? await HashAsync(body, content.Digest, hashed, cancellationToken) : null;
        }
        catch (Exception ex) when (S3Bucket.IsFault(ex))
        {
            return new VerifiedFile(content, VerifyOutcome.Unreadable, Problem: ex.Message);
        }

        if (actual is null)
        {
            // Deleted since the listing (a sweep), or the bucket could not be read (logged by the bucket).
            return new VerifiedFile(content, VerifyOutcome.Vanished);
        }

        if (actual == content.Digest)
        {
            return new VerifiedFile(content, VerifyOutcome.Intact);
        }

        return await bucket.DeleteAsync(content.Digest, manifest, cancellationToken)
            ? new VerifiedFile(content, VerifyOutcome.Removed, actual)
            : new VerifiedFile(content, VerifyOutcome.NotRemoved, actual, "the bucket refused the delete");
    }

    /// <summary>
    /// Deletes (or with <paramref name="dryRun"/>, names) each blob object that no manifest in the bucket names
    /// and that was written before <paramref name="olderThan"/>, telling <paramref name="removed"/> of each.
    /// Manifests are kept: expiry and the size budget decide those.
    /// </summary>
    public async Task<BucketSweep> CollectAsync(bool dryRun, DateTimeOffset olderThan, Action<StoredContent> removed, CancellationToken cancellationToken)
    {
        var blobs = new List<(StoredContent Content, DateTimeOffset Written)>();
        var named = new HashSet<Digest>();
        await foreach (var (content, written) in ContentsAsync(cancellationToken))
        {
            if (content.Kind == ContentKind.Blob)
            {
                blobs.Add((content, written));
            }
            else if (await bucket.GetManifestAsync(content.Digest, cancellationToken) is var (_, bytes))
            {
                named.UnionWith(ManifestReferences.Of(bytes));
            }
            else
            {
                // A manifest that cannot be read names what it names all the same: nothing is deleted blind.
                return new BucketSweep(0, 0, blobs.Count, Incomplete: true);
            }
        }

        long count = 0, length = 0;
        foreach (var (content, _) in blobs.Where(b => !named.Contains(b.Content.Digest) && b.Written < olderThan))
        {
            if (dryRun || await bucket.DeleteAsync(content.Digest, manifest: false, cancellationToken))
            {
                (count, length) = (count + 1, length + content.Length);
                removed(content);
            }
        }

        return new BucketSweep(count, length, blobs.Count - count, Incomplete: false);
    }

    private static Digest Hash(byte[] bytes, Digest like, IProgress<long>? hashed)
    {
        using var hash = like.CreateHash();
        hash.AppendData(bytes);
        hashed?.Report(bytes.Length);
        return Digest.FromHash(like.Algorithm, hash.GetHashAndReset());
    }

    private static async Task<Digest> HashAsync(Stream body, Digest like, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using (body)
            {
                using var hash = like.CreateHash();
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    hashed?.Report(read);
                }

                return Digest.FromHash(like.Algorithm, hash.GetHashAndReset());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
