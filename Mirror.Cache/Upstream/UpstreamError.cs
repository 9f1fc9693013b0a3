namespace Mirror.Cache.Upstream;

/// <summary>
/// Why the upstream did not deliver, beyond its <see cref="SourceStatus"/>: the OCI error code it sent
/// (<c>NAME_UNKNOWN</c>, ...), if any, and words for logs and the client's error detail.
/// </summary>
public sealed record UpstreamError(string? Code, string? Message)
{
    /// <summary>
    /// The configuration key of the mirror's bound that the upstream's answer went over
    /// (<c>mirror.limits.taglistbytes</c>), when that is why: the client's error names it, for its operator.
    /// </summary>
    public string? Limit { get; init; }

    public static UpstreamError Because(string message) => new(null, message);

    /// <summary>An answer over the bound set by <paramref name="key"/>; <paramref name="message"/> says by what.</summary>
    public static UpstreamError OverLimit(string key, string message) => new(null, message) { Limit = key };
}
