using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>The blob cannot be had: what the upstream said, or that the store was changing under the request.</summary>
public sealed class FailedBlob(SourceStatus status, UpstreamError? error) : BlobLookup(CacheResult.None)
{
    public SourceStatus Status { get; } = status;

    public UpstreamError? Error { get; } = error;
}
