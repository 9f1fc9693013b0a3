namespace Mirror.Cache.Upstream;

/// <summary>
/// Why the upstream did not deliver, beyond its <see cref="SourceStatus"/>: the OCI error code it sent
/// (<c>NAME_UNKNOWN</c>, ...), if any, and words for logs and the client's error detail.
/// </summary>
public sealed record UpstreamError(string? Code, string? Message)
{
    public static UpstreamError Because(string message) => new(null, message);
}
