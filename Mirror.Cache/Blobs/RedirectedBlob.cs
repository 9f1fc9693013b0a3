using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A blob the bucket holds, for a GET with <c>storage.redirect</c> on: answer 307 to <see cref="Location"/>, a
/// presigned URL of a short lifetime, after the repository's authorisation (so the URL is the only grant).
/// </summary>
public sealed class RedirectedBlob(Uri location, long length) : BlobLookup(CacheResult.Hit)
{
    public Uri Location { get; } = location;

    public long Length { get; } = length;
}
