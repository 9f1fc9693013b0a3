using System.Text.Json;

namespace Mirror.Cache.Storage;

/// <summary>
/// Reads <c>metadata/access.json</c>, where last uses were kept (rewritten whole by each sweep)
/// before <see cref="UseJournal"/>: a store from before keeps its times, once; the journal replaces the file.
/// </summary>
internal static class LegacyUseTimes
{
    public static void Replay(string path, StoreIndex index)
    {
        try
        {
            var reader = new Utf8JsonReader(File.ReadAllBytes(path));
            string? key = null;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    key = reader.GetString();
                }
                else if (reader.TokenType == JsonTokenType.Number && key is not null && reader.TryGetInt64(out var milliseconds))
                {
                    Apply(index, key, milliseconds);
                    key = null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            // What was read is in; the rest falls back to the files' write times, as before.
        }
    }

    private static void Apply(StoreIndex index, string key, long milliseconds)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        var kind = key.AsSpan(0, Math.Max(colon, 0)) switch
        {
            "blob" => ContentKind.Blob,
            "manifest" => (ContentKind?)ContentKind.Manifest,
            _ => null,
        };
        if (kind is { } found && UseLines.TryReadDigest(key.AsSpan(colon + 1), out var digest, out var sha512)
            && milliseconds >= 0 && milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            index.MergeUse(found, digest, sha512, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcTicks);
        }
    }
}
