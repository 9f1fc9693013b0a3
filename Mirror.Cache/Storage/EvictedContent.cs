using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>An entry a sweep removed from the store (or, in a dry run, would remove): what, how large, last used when, and why.</summary>
public sealed record EvictedContent(ContentKind Kind, Digest Digest, long Length, DateTimeOffset LastUse, EvictionReason Reason);
