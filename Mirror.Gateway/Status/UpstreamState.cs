namespace Mirror.Gateway.Status;

/// <summary>A registry the mirror mirrors: where, whether its last request went well, and Docker Hub's allowance left when it said.</summary>
internal sealed record UpstreamState(string Host, string RemoteUrl, bool Reachable, string Detail, string? RateLimitRemaining);
