namespace Mirror.Cache.Maintenance;

/// <summary>
/// What <c>gc</c> did in the bucket: the blob objects no manifest names that it deleted (or would), their bytes,
/// the blob objects kept; <see cref="Incomplete"/> when a manifest could not be read, and so nothing was deleted.
/// </summary>
public sealed record BucketSweep(long Removed, long RemovedBytes, long Kept, bool Incomplete);
