namespace Mirror.Cache.Upstream;

/// <summary>The upstream's answer to a HEAD for a blob.</summary>
public sealed record UpstreamBlobHead(SourceStatus Status, long? Length, UpstreamError? Error);
