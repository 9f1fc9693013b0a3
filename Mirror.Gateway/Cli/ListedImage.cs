namespace Mirror.Gateway.Cli;

/// <summary><c>ls --json</c>: one image (a manifest or a list), its tags, and its platforms when a list.</summary>
internal sealed record ListedImage(string Digest, IReadOnlyList<string> Tags, string? MediaType, bool Stored, long Size, IEnumerable<ListedPlatform> Platforms, DateTimeOffset? LastPull, bool Pinned);
