namespace Mirror.Gateway.Cli;

/// <summary><c>ls --json</c>: one platform of a list and whether its manifest is stored.</summary>
internal sealed record ListedPlatform(string Platform, string Digest, bool Stored);
