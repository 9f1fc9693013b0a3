using Mirror.Cache.Fills;

namespace Mirror.Gateway.Upstream;

/// <summary>Every tag of a repository as the upstream listed it, across all its pages.</summary>
internal sealed record UpstreamTagList(SourceStatus Status, IReadOnlyList<string> Tags, string? Detail);
