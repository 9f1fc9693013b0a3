namespace Mirror.Cache.Tags;

/// <summary>What the mirror last learnt a tag points to, and when.</summary>
internal sealed record TagRecord(string Digest, string MediaType, long Length, DateTimeOffset CheckedAt);
