namespace Mirror.Cache.Maintenance;

/// <summary>
/// What a store holds: its totals, each repository with the images it is known to hold, and the content
/// no repository is known to hold (stored before links were kept, or whose manifests have gone). Of a bucket,
/// <paramref name="ByDigest"/>: its images (manifests no other manifest names) whose repository and tags are
/// known neither to Redis nor to the local metadata read, listed by digest alone.
/// </summary>
public sealed record StoreInventory(string Root, long Blobs, long Manifests, long Bytes, IReadOnlyList<RepositoryInventory> Repositories, long UnclaimedFiles, long UnclaimedBytes, IReadOnlyList<ImageInventory>? ByDigest = null);
