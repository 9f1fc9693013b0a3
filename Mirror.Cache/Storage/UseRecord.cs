using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>A use of stored content, as saved and replayed: which entry, and when (UTC ticks).</summary>
internal readonly record struct UseRecord(ContentKind Kind, DigestKey Key, Digest? Sha512, long Ticks)
{
    public Digest Digest => Sha512 ?? Key.ToSha256Digest();
}
