using System.Globalization;
using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Tags;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The tags of a cluster: Redis holds each tag's latest check by any node (a hash field per tag, written only
/// over an older check), so a tag one node checked counts on every node. The node's own journal
/// (<see cref="TagJournal"/>) keeps what it learnt, checked or found in Redis, and answers while Redis cannot
/// be asked; it also seeds a Redis that lost its records.
/// </summary>
internal sealed class ClusterTags(TagJournal journal, RedisRecords redis) : ITagStore
{
    private const int TicksWidth = 19;

    /// <summary>ARGV: field, the check's ticks (19 digits), the record: written only over an older check, so the latest check wins whoever writes last.</summary>
    private const string LaterScript = """
        local v = redis.call('HGET', KEYS[1], ARGV[1])
        if v and string.sub(v, 1, 19) >= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ARGV[3])
        return 1
        """;

    public IEnumerable<TagRecord> Records => journal.Records;

    /// <summary>
    /// Redis's record of the tag; this node's when it is later (its write to Redis failed, and waits for the
    /// seeding), or when Redis has none or cannot be asked.
    /// </summary>
    public async ValueTask<TagRecord?> TryFindAsync(RepositoryKey repository, string tag, CancellationToken cancellationToken)
    {
        var local = journal.Find(repository.Value, tag);
        try
        {
            if (Parse(await redis.Database.HashGetAsync(RedisKeys.Tags, Field(repository.Value, tag))) is { } shared
                && (local is null || shared.CheckedAt > local.CheckedAt))
            {
                journal.Record(shared);
                return shared;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis cannot say: this node's knowledge stands.
            redis.ReadFailed();
        }

        return local;
    }

    public async Task RememberAsync(RepositoryKey repository, string tag, Digest digest, string mediaType, long length, CancellationToken cancellationToken)
    {
        var record = journal.Remember(repository, tag, digest, mediaType, length);
        try
        {
            await WriteAsync(redis.Database, record);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            redis.WriteFailed();
        }
    }

    public Task<int> LoadAsync(CancellationToken cancellationToken) => journal.LoadAsync(cancellationToken);

    /// <summary>Writes every tag this node knows to Redis, each unless Redis holds a later check; how many. Throws when Redis cannot be asked.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var count = 0;
        foreach (var chunk in journal.Records.Chunk(1000))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(chunk.Select(record => WriteAsync(database, record)));
            count += chunk.Length;
        }

        return count;
    }

    private static Task<RedisResult> WriteAsync(IDatabase database, TagRecord record) =>
        database.ScriptEvaluateAsync(
            LaterScript,
            [RedisKeys.Tags],
            [Field(record.Repository, record.Tag), record.CheckedAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture), JsonSerializer.Serialize(record, TagJson.Default.TagRecord)]);

    /// <summary>Every tag Redis holds, with this node's (for <c>ls</c> on the bucket). Throws when Redis cannot be asked.</summary>
    public async Task<IReadOnlyList<TagRecord>> AllRecordsAsync(CancellationToken cancellationToken) =>
        [.. journal.Records, .. (await redis.Database.HashGetAllAsync(RedisKeys.Tags).WaitAsync(cancellationToken)).Select(entry => Parse(entry.Value)).OfType<TagRecord>()];

    private static TagRecord? Parse(RedisValue value) =>
        value.HasValue && value.ToString() is { Length: > TicksWidth } text ? JsonSerializer.Deserialize(text.AsSpan(TicksWidth), TagJson.Default.TagRecord) : null;

    private static string Field(string repository, string tag) => $"{repository}:{tag}";
}
