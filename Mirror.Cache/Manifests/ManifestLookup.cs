using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Manifests;

/// <summary>
/// The cache's answer for a manifest: found (its digest, media type, length and, unless only described for
/// a HEAD, its bytes) with how it was found, or the upstream's refusal. Docker Hub's rate-limit headers
/// from the upstream's answer, if any, go to the client either way.
/// </summary>
public sealed record ManifestLookup(
    CacheResult Result,
    Digest? Digest,
    string? MediaType,
    long? Length,
    ReadOnlyMemory<byte> Content,
    SourceStatus Status,
    UpstreamError? Error,
    IReadOnlyList<KeyValuePair<string, string>> RateLimit)
{
    public bool Found => Status == SourceStatus.Found;

    /// <summary>On a refusal for the pull quota, how long manifest GETs to the upstream are held back: the client's <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    internal static ManifestLookup Served(CacheResult result, Digest digest, string mediaType, ReadOnlyMemory<byte> content, IReadOnlyList<KeyValuePair<string, string>> rateLimit) =>
        new(result, digest, mediaType, content.Length, content, SourceStatus.Found, null, rateLimit);

    internal static ManifestLookup Described(CacheResult result, Digest digest, string mediaType, long? length, IReadOnlyList<KeyValuePair<string, string>> rateLimit) =>
        new(result, digest, mediaType, length, ReadOnlyMemory<byte>.Empty, SourceStatus.Found, null, rateLimit);

    internal static ManifestLookup Failed(UpstreamManifest answer) =>
        new(CacheResult.None, null, null, null, ReadOnlyMemory<byte>.Empty, answer.Status, answer.Error, answer.RateLimit) { RetryAfter = answer.HeldFor };
}
