using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// One file in the store as the index knew it when asked: size, last use, and whether it is being removed
/// (a retired entry can no longer be leased). A snapshot for callers that look; the index itself keeps no
/// object per file (<see cref="StoreSlot"/>).
/// </summary>
internal sealed record StoreEntry(ContentKind Kind, Digest Digest, long Length, DateTimeOffset LastUse, bool IsRetired);
