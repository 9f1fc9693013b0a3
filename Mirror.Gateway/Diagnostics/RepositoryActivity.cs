namespace Mirror.Gateway.Diagnostics;

/// <summary>A repository's pulls (manifest GETs) and bytes sent under its name over a period.</summary>
internal sealed record RepositoryActivity(string Repository, string Upstream, long Pulls, long Bytes);
