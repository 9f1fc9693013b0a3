using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Buckets;

/// <summary>
/// The store's seam to object storage: where committed content lives when the store has a bucket
/// (<see cref="S3Bucket"/>), and nothing at all on the filesystem alone (<see cref="NoBucket"/>). Faults are
/// values (<c>false</c>, <c>null</c>), logged here: the store then serves what it can and keeps nothing partial.
/// </summary>
internal interface IContentBucket
{
    /// <summary>Whether there is a bucket; false: the filesystem is the store.</summary>
    bool IsEnabled { get; }

    /// <summary>Whether a warm blob GET is redirected to a presigned URL (<c>storage.redirect</c>).</summary>
    bool Redirects { get; }

    /// <summary>
    /// Starts uploading the blob written to <paramref name="file"/> as it grows; <c>null</c> without a bucket.
    /// The object appears only at <see cref="IBucketUpload.CompleteAsync"/>, after the store has verified it.
    /// </summary>
    IBucketUpload? StartUpload(Digest digest, SafeFileHandle file);

    /// <summary>The stored blob's length; <c>null</c> when the bucket does not hold it (or cannot be asked).</summary>
    Task<long?> LengthOfBlobAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>The stored blob's bytes (the caller verifies them); <c>null</c> when absent or unavailable.</summary>
    Task<Stream?> OpenBlobAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>A URL that gets the blob from the bucket for a short while, for a 307.</summary>
    Task<Uri> PresignBlobAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Stores a verified manifest and its media type; false when the bucket could not.</summary>
    Task<bool> PutManifestAsync(Digest digest, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>A stored manifest and its media type (the caller verifies it); <c>null</c> when absent or unavailable.</summary>
    Task<(string MediaType, byte[] Content)?> GetManifestAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// When the blob's (or manifest's) object was last written; <c>null</c> when the bucket does not hold it, and
    /// <see cref="DateTimeOffset.MaxValue"/> when the bucket cannot be asked (so nothing is deleted on a guess).
    /// </summary>
    Task<DateTimeOffset?> WrittenAtAsync(Digest digest, bool manifest, CancellationToken cancellationToken);

    /// <summary>Deletes a blob's (or a manifest's) object; false when the bucket could not.</summary>
    Task<bool> DeleteAsync(Digest digest, bool manifest, CancellationToken cancellationToken);

    /// <summary>Every object under the store's prefix that names content: blobs and manifests, with their lengths.</summary>
    IAsyncEnumerable<BucketObject> ListAsync(CancellationToken cancellationToken);
}
