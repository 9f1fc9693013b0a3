namespace Mirror.Cache.Storage;

/// <summary>What a stored manifest names (config, layers, or a list's manifests), and when its use was last carried to them.</summary>
internal sealed class StoredReferences(DigestKey[] keys)
{
    public DigestKey[] Keys { get; } = keys;

    /// <summary>The ticks of the last use carried to <see cref="Keys"/>; a manifest pulled many times a second carries its use once a second.</summary>
    public long CarriedAt { get; set; }
}
