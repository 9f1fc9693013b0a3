namespace Mirror.Cache.Storage;

/// <summary>Where and how the content-addressed store keeps its files.</summary>
public sealed class StoreOptions
{
    /// <summary>The store's root directory (<c>storage.filesystem.rootdirectory</c>; default <c>./data</c>).</summary>
    public string RootDirectory { get; set; } = "data";
}
