namespace Mirror.Cache.Watch;

/// <summary>The images the mirror keeps warm (<c>mirror.watch</c>) and how much background work it does at once.</summary>
public sealed class WatchOptions
{
    /// <summary>The watched tags (<c>mirror.watch</c>); default none.</summary>
    public IList<WatchedImage> Images { get; set; } = [];

    /// <summary>Blob fills the watcher runs at a time (<c>mirror.watchfills</c>); default 3.</summary>
    public int Fills { get; set; } = 3;
}
