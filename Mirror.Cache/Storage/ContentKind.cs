namespace Mirror.Cache.Storage;

/// <summary>The two kinds of content the store keeps, in directories of their own.</summary>
public enum ContentKind
{
    Blob,
    Manifest,
}
