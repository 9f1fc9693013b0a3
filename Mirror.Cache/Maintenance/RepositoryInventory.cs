using Mirror.Cache.Protocol;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// A repository as the store knows it: its images (tagged, or pulled by digest), how many of the blobs it is
/// known to hold are stored and their bytes, and the last pull of any of its images.
/// </summary>
public sealed record RepositoryInventory(RepositoryKey Key, IReadOnlyList<ImageInventory> Images, int Blobs, long BlobBytes, DateTimeOffset? LastPull);
