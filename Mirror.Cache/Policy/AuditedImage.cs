using Mirror.Cache.Protocol;

namespace Mirror.Cache.Policy;

/// <summary>An image of the store as <c>verify --policy</c> found it: its repository's policy name, digest, tags and verdict.</summary>
public sealed record AuditedImage(string Repository, Digest Digest, IReadOnlyList<string> Tags, PolicyVerdict Verdict);
