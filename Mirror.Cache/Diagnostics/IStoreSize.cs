namespace Mirror.Cache.Diagnostics;

/// <summary>
/// What the store's gauges read (<c>mirror_store_bytes</c>, <c>_blobs</c>, <c>_manifests</c>). The store's
/// index implements it, so <see cref="MirrorMetrics"/> names no store type: Diagnostics sits at the bottom
/// beside Protocol, and the features that report to it (the store, fills, the cluster) depend on it, never
/// the other way round.
/// </summary>
internal interface IStoreSize
{
    long Bytes { get; }

    long Blobs { get; }

    long Manifests { get; }
}
