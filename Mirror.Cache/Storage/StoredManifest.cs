using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>A committed manifest: the bytes exactly as the upstream sent them, and the media type it sent them as.</summary>
internal sealed record StoredManifest(Digest Digest, string MediaType, ReadOnlyMemory<byte> Content);
