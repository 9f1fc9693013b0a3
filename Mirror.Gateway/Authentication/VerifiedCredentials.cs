using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Mirror.Cache.Concurrency;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Verdicts on credentials, remembered for a short time so that a pull's many requests cost one check (one
/// bcrypt run, one question to the upstream). Each is kept under an HMAC of the credentials with a key made
/// at start and never stored, so neither the password nor a hash that could be attacked offline is kept;
/// concurrent checks of the same credentials share one run.
/// </summary>
internal sealed class VerifiedCredentials(TimeProvider time, int capacity = 100_000) : IDisposable
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly MemoryCache _verdicts = new(new MemoryCacheOptions { SizeLimit = capacity, Clock = new TimeProviderClock(time) });
    private readonly SingleFlight<string, bool> _checks = new();

    /// <summary>A key for <paramref name="parts"/> (scheme, file generation, user, password, repository, ...).</summary>
    public string KeyOf(params string[] parts)
    {
        var text = string.Join('\0', parts);
        return Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The remembered verdict for <paramref name="key"/>, or <paramref name="check"/>'s, remembered for <paramref name="ttl"/>.</summary>
    public async Task<bool> CheckAsync(string key, TimeSpan ttl, Func<CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        if (_verdicts.TryGetValue(key, out bool verdict))
        {
            return verdict;
        }

        return await _checks.RunAsync(key, ct => CheckOnceAsync(key, ttl, check, ct), out _).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The check, run by one request for all that ask meanwhile. Its verdict is remembered before the flight
    /// ends, and a flight first looks again: a request that missed the memory just as the last flight ended
    /// takes its verdict rather than running the check (bcrypt, or a question upstream) a second time.
    /// </summary>
    private async Task<bool> CheckOnceAsync(string key, TimeSpan ttl, Func<CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        if (_verdicts.TryGetValue(key, out bool known))
        {
            return known;
        }

        var verdict = await check(cancellationToken);

        // A full memory makes room from refusals first: someone sending wrong credentials by the thousand must
        // not push out the good ones, whose requests would then be checked, and maybe slowed, again.
        _verdicts.Set(key, verdict, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = ttl,
            Priority = verdict ? CacheItemPriority.High : CacheItemPriority.Low,
        });
        return verdict;
    }

    public void Dispose()
    {
        _verdicts.Dispose();
        _checks.Dispose();
    }

    /// <summary>The memory cache's clock, from <see cref="TimeProvider"/> so tests control expiry.</summary>
    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
