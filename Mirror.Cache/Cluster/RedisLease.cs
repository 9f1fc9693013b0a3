using Microsoft.Extensions.Logging;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// A lease this node holds on Redis: its value is stamped with a token only this holder knows, renewed at a
/// third of its time, and released when disposed. A renewal that finds another holder ends it (<see cref="Lost"/>);
/// one that cannot reach Redis keeps trying, since nobody else can take the lease then either.
/// </summary>
internal sealed class RedisLease : IClusterLease
{
    // Each acts only while the key still holds this holder's token.
    private const string RenewScript = "local v = redis.call('get', KEYS[1]) if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";
    private const string SetScript = "local v = redis.call('get', KEYS[1]) if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0";
    private const string ReleaseScript = "local v = redis.call('get', KEYS[1]) if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

    private readonly IDatabase _database;
    private readonly RedisKey _key;
    private readonly string _stamp;
    private readonly TimeSpan _ttl;
    private readonly MirrorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _ended = new();
    private readonly Task _renewing;

    public RedisLease(IDatabase database, RedisKey key, string token, TimeSpan ttl, MirrorMetrics metrics, ILogger logger)
    {
        _database = database;
        _key = key;
        _stamp = token + "\n";
        _ttl = ttl;
        _metrics = metrics;
        _logger = logger;
        _renewing = RenewAsync();
    }

    public CancellationToken Lost => _lost.Token;

    public static string Stamp(string token, string value) => token + "\n" + value;

    public static string Unstamp(string stamped) => stamped[(stamped.IndexOf('\n', StringComparison.Ordinal) + 1)..];

    public async Task SetValueAsync(string value, CancellationToken cancellationToken)
    {
        try
        {
            if ((int)await _database.ScriptEvaluateAsync(SetScript, [_key], [_stamp, _stamp + value]) == 0)
            {
                await _lost.CancelAsync();
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _metrics.ClusterError();
            ClusterLog.RedisFailed(_logger, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _ended.CancelAsync();
        await _renewing;
        try
        {
            await _database.ScriptEvaluateAsync(ReleaseScript, [_key], [_stamp]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // It lapses by itself.
            _metrics.ClusterError();
        }
        catch (ObjectDisposedException)
        {
            // The host closed its connection first while stopping: the lease lapses by itself.
        }

        _lost.Dispose();
        _ended.Dispose();
    }

    private async Task RenewAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(_ttl / 3, _ended.Token);
                try
                {
                    if ((int)await _database.ScriptEvaluateAsync(RenewScript, [_key], [_stamp, (long)_ttl.TotalMilliseconds]) == 0)
                    {
                        await _lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    _metrics.ClusterError();
                    ClusterLog.RedisFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Released.
        }
    }
}
