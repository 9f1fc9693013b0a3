namespace Mirror.Cache.Tags;

/// <summary>What the mirror last learnt a tag points to, and when it last asked the upstream.</summary>
internal sealed record TagRecord(string Repository, string Tag, string Digest, string MediaType, long Length, DateTimeOffset CheckedAt);
