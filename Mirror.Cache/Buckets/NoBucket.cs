using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Buckets;

/// <summary>The filesystem store alone (<c>storage.filesystem</c>): no bucket, nothing to upload, nothing found there.</summary>
internal sealed class NoBucket : IContentBucket
{
    public bool IsEnabled => false;

    public bool Redirects => false;

    public IBucketUpload? StartUpload(Digest digest, SafeFileHandle file) => null;

    public Task<long?> LengthOfBlobAsync(Digest digest, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    public Task<Stream?> OpenBlobAsync(Digest digest, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    public Task<Uri> PresignBlobAsync(Digest digest, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the filesystem store has no bucket to redirect to");

    public Task<bool> PutManifestAsync(Digest digest, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<(string MediaType, byte[] Content)?> GetManifestAsync(Digest digest, CancellationToken cancellationToken) =>
        Task.FromResult<(string, byte[])?>(null);

    public Task<DateTimeOffset?> WrittenAtAsync(Digest digest, bool manifest, CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    public Task<bool> DeleteAsync(Digest digest, bool manifest, CancellationToken cancellationToken) => Task.FromResult(true);

    public IAsyncEnumerable<BucketObject> ListAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<BucketObject>();
}
