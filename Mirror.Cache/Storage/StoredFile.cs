using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>A committed file found by the start-up scan: its kind, digest, length and last write (UTC ticks); a manifest's path, to read what it names.</summary>
internal readonly record struct StoredFile(ContentKind Kind, DigestKey Key, Digest? Sha512, long Length, long LastWrite, string? Path);
