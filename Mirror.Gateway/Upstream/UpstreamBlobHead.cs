using Mirror.Cache.Fills;

namespace Mirror.Gateway.Upstream;

/// <summary>The upstream's answer to a HEAD for a blob.</summary>
internal sealed record UpstreamBlobHead(SourceStatus Status, long? Length, string? Detail);
