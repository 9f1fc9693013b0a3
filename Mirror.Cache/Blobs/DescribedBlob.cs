using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>What a HEAD needs of a blob the store does not hold yet: its length, from a running fill or the upstream.</summary>
public sealed class DescribedBlob(long? length, CacheResult result) : BlobLookup(result)
{
    public long? Length { get; } = length;
}
