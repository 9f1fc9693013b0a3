namespace Mirror.Cache.Storage;

/// <summary>Where and how the content-addressed store keeps its files.</summary>
public sealed class StoreOptions
{
    /// <summary>The store's root directory (<c>storage.filesystem.rootdirectory</c>; default <c>./data</c>).</summary>
    public string RootDirectory { get; set; } = "data";

    /// <summary>
    /// Whether this process only reads the metadata (tags, links, uses): it is the command line's
    /// <c>ls</c>, <c>verify</c> or <c>gc</c>, beside a server that may be running on the same store and owns
    /// those journals. Nothing compacts, repairs or appends to them then; default false.
    /// </summary>
    public bool ReadOnlyMetadata { get; set; }

    /// <summary>
    /// This node's name when other nodes share the store (a cluster); none for a store of one node (the
    /// default). With it, the node's journals are its own (<c>metadata/nodes/&lt;node&gt;/</c>) and the temp
    /// files of other nodes' fills are left alone at start. Set by the composition, not by a configuration key.
    /// </summary>
    public string? Node { get; set; }
}
