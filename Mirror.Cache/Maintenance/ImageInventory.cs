using Mirror.Cache.Protocol;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// A manifest a repository holds that no other manifest of it names: its tags, media type, whether it is
/// stored, the stored bytes of it and everything it names, its platforms when it is a list or index, and
/// its last pull (or, for content no use was saved for yet, its last write), and whether it is pinned
/// (<c>mirror.pin</c>, or a watched tag's image or rollback: expiry and the size budget never remove it).
/// </summary>
public sealed record ImageInventory(Digest Digest, IReadOnlyList<string> Tags, string? MediaType, bool Stored, long Size, IReadOnlyList<PlatformInventory> Platforms, DateTimeOffset? LastPull, bool Pinned = false);
