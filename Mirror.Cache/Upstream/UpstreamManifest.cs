using Mirror.Cache.Protocol;

namespace Mirror.Cache.Upstream;

/// <summary>
/// The upstream's answer for a manifest: for a HEAD its digest, type and length; for a GET also its bytes,
/// which <see cref="Digest"/> has been computed from.
/// </summary>
public sealed record UpstreamManifest(SourceStatus Status, Digest? Digest, string? MediaType, long? Length, ReadOnlyMemory<byte> Content, UpstreamError? Error)
{
    /// <summary>Docker Hub's rate-limit headers on the upstream's answer, passed on to the client.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RateLimit { get; init; } = [];

    /// <summary>
    /// The upstream answered the <c>GET</c> with <c>200</c>, which Docker Hub counts as a pull whatever the mirror then
    /// made of the body (too large, cut short): a pull spent even when <see cref="Status"/> says it is of no use.
    /// </summary>
    public bool Answered { get; init; }

    /// <summary>The upstream's <c>Retry-After</c> on a refusal, as it sent it (seconds or an HTTP date); <c>null</c> without one.</summary>
    public string? RetryAfterHeader { get; init; }

    /// <summary>
    /// On a refusal for the pull quota: how long from the answer on manifest <c>GET</c>s to this upstream are
    /// held back (<see cref="Quota.PullQuota"/>), which the client is told as its <c>Retry-After</c>.
    /// </summary>
    public TimeSpan? HeldFor { get; init; }

    public static UpstreamManifest Failed(SourceStatus status, UpstreamError? error) => new(status, null, null, null, ReadOnlyMemory<byte>.Empty, error);
}
