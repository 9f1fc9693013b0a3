using Mirror.Cache.Content;
using Mirror.Cache.Registry;

namespace Mirror.Cache.Fills;

/// <summary>Where fills get blob bytes from: the upstream registry, reached by the gateway.</summary>
internal interface IBlobSource
{
    /// <summary>
    /// Opens the blob from <paramref name="offset"/> on (a <c>Range</c> request when it is not 0). The
    /// response's <see cref="BlobSourceResponse.Offset"/> says where its body really starts, since an upstream
    /// may ignore the range and send the whole blob.
    /// </summary>
    Task<BlobSourceResponse> OpenAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken);
}
