using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The start-up walk of the store that fills the index: each file with its size and its last write, and for
/// a manifest what it names; then the saved uses are merged in and each manifest's use carried to what it
/// names. Requests do not wait for it: content found on disk meanwhile is indexed as it is served. It logs
/// its progress every second. A scan that fails is logged and faults <see cref="StoreIndex.Loaded"/>,
/// so what waits for it (the sweeper) carries on rather than waits forever.
/// </summary>
internal sealed class StoreScanner(StoreLayout layout, StoreIndex index, IUseLog uses, TimeProvider time, ILogger<StoreScanner> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public void Scan()
    {
        try
        {
            var started = time.GetTimestamp();
            var reported = started;
            var files = 0L;
            foreach (var file in layout.Files())
            {
                var references = file.Kind == ContentKind.Manifest ? ReferencesOf(file.Path!).Select(DigestKey.Of).ToArray() : null;
                index.Add(file.Kind, file.Key, file.Sha512, file.Length, file.LastWrite, references, used: false);
                if (++files % 1024 == 0 && time.GetElapsedTime(reported) >= ProgressInterval)
                {
                    StorageLog.StoreIndexing(logger, files, index.Bytes, time.GetElapsedTime(started));
                    reported = time.GetTimestamp();
                }
            }

            uses.Replay(index);
            index.CarryAllUses();
            StorageLog.StoreIndexed(logger, index.Blobs, index.Manifests, index.Bytes, time.GetElapsedTime(started));
            index.MarkLoaded(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.StoreScanFailed(logger, layout.Root, ex);
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
