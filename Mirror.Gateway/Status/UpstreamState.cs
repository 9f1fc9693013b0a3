namespace Mirror.Gateway.Status;

/// <summary>A registry the mirror mirrors: where, whether its last request went well, and its pull quota once it said one (<c>null</c> before).</summary>
internal sealed record UpstreamState(string Host, string RemoteUrl, bool Reachable, string Detail, QuotaState? Quota);
