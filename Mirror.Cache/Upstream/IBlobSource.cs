using Mirror.Cache.Protocol;

namespace Mirror.Cache.Upstream;

/// <summary>Where blobs come from: the upstream registry, reached by the gateway. Failures are values, never exceptions.</summary>
public interface IBlobSource : IRegistrySource
{
    /// <summary>
    /// Opens the blob from <paramref name="offset"/> on (a <c>Range</c> request when it is not 0). The
    /// answer's <see cref="UpstreamBlob.Offset"/> says where its body really starts, since an upstream may
    /// ignore the range and send the whole blob.
    /// </summary>
    Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the bytes from <paramref name="start"/> to <paramref name="last"/> (inclusive, as HTTP counts) of the blob: a
    /// <c>Range</c> request of its own, for a client's range the fill will not reach soon. The answer's
    /// <see cref="UpstreamBlob.Offset"/> says where its body really starts (an upstream may ignore the range).
    /// </summary>
    Task<UpstreamBlob> OpenBlobRangeAsync(RepositoryName repository, Digest digest, long start, long last, CancellationToken cancellationToken);

    /// <summary>
    /// This upstream's bound from a request to its response headers (its <c>timeouts.firstbyte</c>): a
    /// blob's first request that fails is asked again only within it.
    /// </summary>
    TimeSpan FirstByteTimeout { get; }

    Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);
}
