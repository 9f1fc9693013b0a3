namespace Mirror.Cache.Maintenance;

/// <summary>
/// What a store holds: its totals, each repository with the images it is known to hold, and the content
/// no repository is known to hold (stored before links were kept, or whose manifests have gone).
/// </summary>
public sealed record StoreInventory(string Root, long Blobs, long Manifests, long Bytes, IReadOnlyList<RepositoryInventory> Repositories, long UnclaimedFiles, long UnclaimedBytes);
