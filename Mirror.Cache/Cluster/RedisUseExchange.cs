using Mirror.Cache.Concurrency;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// Every node's last use of each stored file, in one Redis sorted set scored by time: <c>ZADD GT</c> keeps
/// a member's greatest use whatever order nodes save in, and a range by score is what was used since.
/// </summary>
internal sealed class RedisUseExchange(IConnectionMultiplexer redis) : IUseExchange
{
    private static readonly RedisKey Key = RedisKeys.Uses;
    private const int Batch = 1000;

    /// <summary>
    /// ARGV: member, use, member, use, ...: removes each member whose score is no greater than its use, in
    /// one step, so a newer use saved meanwhile by another node (ZADD GT) is never removed with it.
    /// </summary>
    private const string ForgetScript = """
        for i = 1, #ARGV, 2 do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if score and tonumber(score) <= tonumber(ARGV[i + 1]) then
            redis.call('ZREM', KEYS[1], ARGV[i])
          end
        end
        return 0
        """;

    public async Task SaveAsync(IReadOnlyList<KeyValuePair<string, long>> uses, CancellationToken cancellationToken)
    {
        var database = Connected();
        foreach (var chunk in uses.Chunk(Batch))
        {
            await database.SortedSetAddAsync(Key, chunk.Select(u => new SortedSetEntry(u.Key, u.Value)).ToArray(), SortedSetWhen.GreaterThan);
        }
    }

    public async Task<IReadOnlyList<KeyValuePair<string, long>>> SinceAsync(long ticks, CancellationToken cancellationToken)
    {
        var entries = await Connected().SortedSetRangeByScoreWithScoresAsync(Key, ticks, double.PositiveInfinity, Exclude.Start);
        return entries.Select(e => KeyValuePair.Create(e.Element.ToString(), (long)e.Score)).ToList();
    }

    public async Task ForgetAsync(IReadOnlyList<KeyValuePair<string, long>> members, CancellationToken cancellationToken)
    {
        var database = Connected();
        foreach (var chunk in members.Chunk(Batch))
        {
            await database.ScriptEvaluateAsync(ForgetScript, [Key], chunk.SelectMany(m => new RedisValue[] { m.Key, m.Value }).ToArray());
        }
    }

    private IDatabase Connected() =>
        redis.IsConnected ? redis.GetDatabase() : throw new ClusterUnavailableException("Redis is not connected");
}
