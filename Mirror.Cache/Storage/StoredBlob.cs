namespace Mirror.Cache.Storage;

/// <summary>A committed blob: its file and length. The file's name is its digest, so it never changes.</summary>
internal sealed record StoredBlob(string Path, long Length);
