using Microsoft.Extensions.Logging;
using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>
/// The start-up walk of the store that fills the index: each file with its size and its last access as
/// last saved (else its last write), and for a manifest what it names. Requests do not wait for it: content
/// found on disk meanwhile is indexed as it is served. A scan that fails is logged and faults
/// <see cref="StoreIndex.Loaded"/>, so what waits for it (the sweeper) carries on rather than waits forever.
/// </summary>
internal sealed class StoreScanner(StoreLayout layout, StoreIndex index, AccessTimes accessTimes, ILogger<StoreScanner> logger)
{
    public void Scan()
    {
        try
        {
            var saved = accessTimes.Load();
            foreach (var (kind, digest, file) in layout.Files())
            {
                var lastAccess = saved.TryGetValue(AccessTimes.KeyOf(kind, digest), out var at) ? at : file.LastWriteTimeUtc;
                index.Add(kind, digest, file.Length, lastAccess, kind == ContentKind.Manifest ? ReferencesOf(file.FullName) : null);
            }

            CacheLog.StoreIndexed(logger, index.Blobs, index.Manifests, index.Bytes);
            index.MarkLoaded(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.StoreScanFailed(logger, layout.Root, ex);
            index.MarkLoaded(ex);
        }
    }

    /// <summary>The digests a stored manifest names, or none when it cannot be read.</summary>
    public static IReadOnlyList<Digest> ReferencesOf(string path)
    {
        try
        {
            return ManifestReferences.Of(File.ReadAllBytes(path));
        }
        catch (IOException)
        {
            return [];
        }
    }
}
