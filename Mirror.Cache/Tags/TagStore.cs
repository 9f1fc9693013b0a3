using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Content;
using Mirror.Cache.Registry;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Tags;

/// <summary>
/// Remembers tag -> digest for every tag the mirror checked, and the last tag list of each repository,
/// behind <see cref="IDistributedCache"/> (in memory unless another is registered). Both are also kept in
/// the store's metadata directory, so a restarted mirror still knows them: tag changes are appended to a
/// journal (replayed and compacted at start), tag lists written whole when they change.
/// </summary>
internal sealed class TagStore(IDistributedCache cache, ContentStore store, IOptions<TagOptions> options, TimeProvider time, ILogger<TagStore> logger)
{
    private const string JournalFile = "tags.jsonl";
    private const string ListDirectory = "taglists";

    private readonly Lock _journalGate = new();
    private readonly string _journal = Path.Combine(store.MetadataDirectory, JournalFile);

    /// <summary>Whether <paramref name="record"/> was checked upstream within <c>mirror.tagttl</c>.</summary>
    public bool IsFresh(TagRecord record) => options.Value.Ttl > TimeSpan.Zero && time.GetUtcNow() - record.CheckedAt < options.Value.Ttl;

    public async Task<TagRecord?> TryFindAsync(RepositoryName repository, string tag, CancellationToken cancellationToken)
    {
        var bytes = await cache.GetAsync(TagKey(repository.Value, tag), cancellationToken);
        return bytes is null ? null : JsonSerializer.Deserialize<TagRecord>(bytes);
    }

    /// <summary>Records the answer of an upstream check; a digest the tag did not point to before is journaled.</summary>
    public async Task RememberAsync(RepositoryName repository, string tag, Digest digest, string mediaType, long length, CancellationToken cancellationToken)
    {
        var previous = await TryFindAsync(repository, tag, cancellationToken);
        var record = new TagRecord(repository.Value, tag, digest.ToString(), mediaType, length, time.GetUtcNow());
        await cache.SetAsync(TagKey(record.Repository, tag), JsonSerializer.SerializeToUtf8Bytes(record), new DistributedCacheEntryOptions(), cancellationToken);
        if (previous?.Digest != record.Digest || previous.MediaType != record.MediaType)
        {
            Append(record);
        }
    }

    public async Task<IReadOnlyList<string>?> TryFindListAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        var bytes = await cache.GetAsync(ListKey(repository), cancellationToken);
        if (bytes is null)
        {
            try
            {
                bytes = await File.ReadAllBytesAsync(ListPath(repository), cancellationToken);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
        }

        return JsonSerializer.Deserialize<List<string>>(bytes);
    }

    public async Task RememberListAsync(RepositoryName repository, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(tags);
        var previous = await cache.GetAsync(ListKey(repository), cancellationToken);
        await cache.SetAsync(ListKey(repository), bytes, new DistributedCacheEntryOptions(), cancellationToken);
        if (previous is null || !previous.AsSpan().SequenceEqual(bytes))
        {
            var path = ListPath(repository);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var temp = path + ".tmp";
                await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                CacheLog.MetadataNotSaved(logger, path, ex);
            }
        }
    }

    /// <summary>
    /// Replays the journal into the cache (the last line of each tag wins), and rewrites it without the
    /// lines later ones replaced. Called once at start.
    /// </summary>
    public async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_journal))
        {
            return 0;
        }

        var latest = new Dictionary<(string, string), TagRecord>();
        var lines = 0;
        foreach (var line in await File.ReadAllLinesAsync(_journal, cancellationToken))
        {
            lines++;
            try
            {
                if (JsonSerializer.Deserialize<TagRecord>(line) is { } record)
                {
                    latest[(record.Repository, record.Tag)] = record;
                }
            }
            catch (JsonException)
            {
                // A line cut short by a crash: the lines before it still count.
            }
        }

        foreach (var record in latest.Values)
        {
            await cache.SetAsync(TagKey(record.Repository, record.Tag), JsonSerializer.SerializeToUtf8Bytes(record), new DistributedCacheEntryOptions(), cancellationToken);
        }

        if (lines > latest.Count)
        {
            lock (_journalGate)
            {
                var temp = _journal + ".tmp";
                File.WriteAllLines(temp, latest.Values.Select(r => JsonSerializer.Serialize(r)));
                File.Move(temp, _journal, overwrite: true);
            }
        }

        return latest.Count;
    }

    private static string TagKey(string repository, string tag) => $"tag:{repository}:{tag}";

    private static string ListKey(RepositoryName repository) => $"taglist:{repository}";

    /// <summary>A file name that no repository name can turn into a path outside the directory.</summary>
    private string ListPath(RepositoryName repository) =>
        Path.Combine(store.MetadataDirectory, ListDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository.Value))) + ".json");

    private void Append(TagRecord record)
    {
        lock (_journalGate)
        {
            try
            {
                File.AppendAllText(_journal, JsonSerializer.Serialize(record) + "\n");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                CacheLog.MetadataNotSaved(logger, _journal, ex);
            }
        }
    }
}
