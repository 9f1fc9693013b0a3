namespace Mirror.Gateway.Status;

/// <summary>The store: its content, its budget (<c>mirror.maxsize</c>) and the disk's free space.</summary>
internal sealed record StoreState(long Bytes, long? MaxSize, long Blobs, long Manifests, long? FreeBytes);
