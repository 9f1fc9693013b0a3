using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>
/// Last-access times saved in the metadata directory (<c>access.json</c>), so expiry and the size budget
/// survive a restart. Saved in batches (each sweep, and at shutdown), never per request.
/// </summary>
internal sealed class AccessTimes(StoreLayout layout, ILogger<AccessTimes> logger)
{
    private const string FileName = "access.json";

    private readonly string _path = Path.Combine(layout.MetadataDirectory, FileName);

    /// <summary>The times last saved, by kind and digest; none when there is no readable file.</summary>
    public Dictionary<string, DateTimeOffset> Load()
    {
        try
        {
            var times = JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllBytes(_path));
            return times?.ToDictionary(t => t.Key, t => DateTimeOffset.FromUnixTimeMilliseconds(t.Value)) ?? [];
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return [];
        }
    }

    public void Save(IEnumerable<StoreEntry> entries)
    {
        var times = entries.ToDictionary(e => KeyOf(e.Kind, e.Digest), e => e.LastAccess.ToUnixTimeMilliseconds());
        var temp = layout.NewTempPath();
        try
        {
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(times));
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.MetadataNotSaved(logger, _path, ex);
            StoreLayout.TryDelete(temp);
        }
    }

    public static string KeyOf(ContentKind kind, Digest digest) => $"{(kind == ContentKind.Blob ? "blob" : "manifest")}:{digest}";
}
