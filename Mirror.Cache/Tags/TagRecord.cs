namespace Mirror.Cache.Tags;

/// <summary>
/// What the mirror last learnt a tag points to, and when it last asked the upstream; <paramref name="Previous"/>
/// is the digest it pointed to before its last move, at <paramref name="MovedAt"/> (a watched tag's rollback,
/// kept pinned; <c>null</c> until the tag was seen to move).
/// </summary>
internal sealed record TagRecord(string Repository, string Tag, string Digest, string MediaType, long Length, DateTimeOffset CheckedAt, string? Previous = null, DateTimeOffset? MovedAt = null);
