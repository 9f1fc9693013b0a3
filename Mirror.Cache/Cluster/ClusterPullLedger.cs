using System.Globalization;
using System.Text.Json;
using Mirror.Cache.Quota;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The pull quota of a cluster: Redis holds each upstream and source's latest reading and hold (hash fields
/// written only over an earlier one) and the pulls every node spent (a sorted set), so a hold one node was
/// told of holds on every node. The node's own ledger (<see cref="PullLedger"/>) keeps what it learnt and
/// answers while Redis cannot be asked.
/// </summary>
internal sealed class ClusterPullLedger(PullLedger local, RedisRecords redis) : IPullLedger
{
    private const int TicksWidth = 19;
    private const string ReadingField = "reading";
    private const string HoldField = "hold";

    /// <summary>ARGV: field, the record's ticks (19 digits), the record: written only over an earlier one.</summary>
    private const string LaterScript = """
        local v = redis.call('HGET', KEYS[1], ARGV[1])
        if v and string.sub(v, 1, 19) > ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ARGV[3])
        return 1
        """;

    public async Task<IReadOnlyList<QuotaRecord>> FindAsync(string? upstream, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var database = redis.Database;
            var fields = database.HashGetAllAsync(RedisKeys.Quota);
            var pulls = database.SortedSetRangeByScoreAsync(RedisKeys.QuotaPulls, (now - PullLedger.Retention).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
            foreach (var (shared, source, reading, hold) in Parse(await fields, upstream))
            {
                // What Redis knows, this node knows too: its fallback while Redis is away.
                if (reading is not null)
                {
                    local.Observe(shared, source, reading);
                }

                if (hold is not null)
                {
                    local.Hold(shared, source, hold);
                }
            }

            var spent = await pulls;
            return local.Find(upstream, now).Select(r => r with { Spent = Count(spent, r, now) }).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            redis.ReadFailed();
            return local.Find(upstream, now);
        }
    }

    public async Task ObserveAsync(string upstream, string source, QuotaReading reading, CancellationToken cancellationToken)
    {
        local.Observe(upstream, source, reading);
        await WriteAsync(Field(upstream, source, ReadingField), reading.At, JsonSerializer.Serialize(reading, QuotaJson.Default.QuotaReading));
    }

    public async Task HoldAsync(string upstream, string source, PullHold hold, CancellationToken cancellationToken)
    {
        local.Hold(upstream, source, hold);
        await WriteAsync(Field(upstream, source, HoldField), hold.At, JsonSerializer.Serialize(hold, QuotaJson.Default.PullHold));
    }

    public async Task SpendAsync(string upstream, string source, DateTimeOffset at, TimeSpan window, CancellationToken cancellationToken)
    {
        await local.SpendAsync(upstream, source, at, window, cancellationToken);
        try
        {
            var database = redis.Database;
            var member = $"{upstream} {source} {at.UtcTicks.ToString(CultureInfo.InvariantCulture)} {Guid.NewGuid():N}";
            await database.SortedSetAddAsync(RedisKeys.QuotaPulls, member, at.ToUnixTimeMilliseconds());
            var keep = at - (window > PullLedger.Retention ? window : PullLedger.Retention);
            await database.SortedSetRemoveRangeByScoreAsync(RedisKeys.QuotaPulls, double.NegativeInfinity, keep.ToUnixTimeMilliseconds(), Exclude.Stop);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            redis.ReadFailed();
        }
    }

    private async Task WriteAsync(string field, DateTimeOffset at, string json)
    {
        try
        {
            await redis.Database.ScriptEvaluateAsync(LaterScript, [RedisKeys.Quota], [field, at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture), json]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Kept in this node's ledger; the upstream's next answer says it again.
            redis.ReadFailed();
        }
    }

    /// <summary>The hash's records of <paramref name="upstream"/> (of every upstream when <c>null</c>).</summary>
    private static IEnumerable<(string Upstream, string Source, QuotaReading? Reading, PullHold? Hold)> Parse(HashEntry[] entries, string? upstream) =>
        entries
            .Select(e => (Key: ((string)e.Name!).Split(' '), Value: (string?)e.Value))
            .Where(e => e.Key.Length == 3 && (upstream is null || e.Key[0] == upstream) && e.Value is { Length: > TicksWidth })
            .GroupBy(e => (e.Key[0], e.Key[1]))
            .Select(g => (
                g.Key.Item1,
                g.Key.Item2,
                g.FirstOrDefault(e => e.Key[2] == ReadingField).Value is { } reading ? JsonSerializer.Deserialize(reading.AsSpan(TicksWidth), QuotaJson.Default.QuotaReading) : null,
                g.FirstOrDefault(e => e.Key[2] == HoldField).Value is { } hold ? JsonSerializer.Deserialize(hold.AsSpan(TicksWidth), QuotaJson.Default.PullHold) : null));

    /// <summary>The cluster's pulls (members <c>&lt;upstream&gt; &lt;source&gt; &lt;ticks&gt; &lt;id&gt;</c>) of <paramref name="record"/>'s upstream and source within its window.</summary>
    private static int Count(RedisValue[] pulls, QuotaRecord record, DateTimeOffset now)
    {
        var since = (now - record.Window).UtcTicks;
        var shared = pulls.Select(p => ((string)p!).Split(' ')).Count(p => p.Length == 4 && p[0] == record.Upstream && p[1] == record.Source
            && long.TryParse(p[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > since);

        // This node's own count stands when its writes to Redis failed.
        return Math.Max(record.Spent, shared);
    }

    /// <summary>A field of the hash: <c>&lt;upstream&gt; &lt;source&gt; reading|hold</c> (hosts and sources have no spaces; a source not named is empty).</summary>
    private static string Field(string upstream, string source, string part) => $"{upstream} {source} {part}";
}
