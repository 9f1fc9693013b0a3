namespace Mirror.Cache.Maintenance;

/// <summary>What the bucket of <c>storage.s3</c> holds: its blobs and manifests and their bytes, and how many of those the local directory lacks.</summary>
public sealed record BucketTotals(long Blobs, long Manifests, long Bytes, long NotLocal);
