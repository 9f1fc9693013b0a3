namespace Mirror.Cache.Upstream;

/// <summary>Every tag of a repository as the upstream listed it, across all its pages.</summary>
public sealed record UpstreamTagList(SourceStatus Status, IReadOnlyList<string> Tags, UpstreamError? Error);
