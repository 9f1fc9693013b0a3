using Mirror.Cache.Protocol;

namespace Mirror.Cache.Maintenance;

/// <summary>One platform of a list or index (<c>linux/arm64/v8</c>), its manifest's digest, and whether that manifest is stored.</summary>
public sealed record PlatformInventory(string Platform, Digest Digest, bool Stored);
