using Mirror.Cache.Protocol;

namespace Mirror.Cache.Buckets;

/// <summary>An object of the bucket that names content: a blob or a manifest, its digest and length, and when it was written.</summary>
internal readonly record struct BucketObject(bool IsManifest, Digest Digest, long Length, DateTimeOffset LastModified);
