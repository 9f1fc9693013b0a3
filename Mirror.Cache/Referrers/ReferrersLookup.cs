using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Referrers;

/// <summary>
/// The cache's answer for the referrers of a digest: an OCI index (unfiltered) and how it was found, or the
/// upstream's refusal. <see cref="FromTagSchema"/>: found through the referrers tag schema, not the API.
/// </summary>
public sealed record ReferrersLookup(CacheResult Result, ReadOnlyMemory<byte> Index, bool FromTagSchema, SourceStatus Status, UpstreamError? Error)
{
    public bool Found => Status == SourceStatus.Found;

    internal static ReferrersLookup Served(CacheResult result, ReadOnlyMemory<byte> index, bool fromTagSchema = false) =>
        new(result, index, fromTagSchema, SourceStatus.Found, null);

    internal static ReferrersLookup Failed(SourceStatus status, UpstreamError? error) =>
        new(CacheResult.None, ReadOnlyMemory<byte>.Empty, false, status, error);
}
