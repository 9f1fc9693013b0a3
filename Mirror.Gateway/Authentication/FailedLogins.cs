using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Slows down an address that keeps failing to log in: from the <see cref="Allowed"/>th failure within
/// <see cref="Window"/>, each further failed attempt from that address is answered only after a delay that
/// doubles up to <see cref="MaxDelay"/>. Only failures are delayed, and only for the address that made
/// them, so a stranger cannot lock anyone out; a client with the right password is never held up.
/// </summary>
internal sealed class FailedLogins(TimeProvider time) : IDisposable
{
    public const int Allowed = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    private readonly MemoryCache _failures = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>Counts a failure from <paramref name="address"/> and waits as long as it has earned.</summary>
    public Task FailedAsync(IPAddress? address, CancellationToken cancellationToken)
    {
        var delay = Record(address);
        return delay > TimeSpan.Zero ? Task.Delay(delay, time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Counts a failure and returns the delay it earns.</summary>
    public TimeSpan Record(IPAddress? address)
    {
        var key = address?.ToString() ?? "-";
        var count = _failures.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Window;
            return new Counter();
        })!.Increment();
        if (count < Allowed)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(count - Allowed, 10);
        var delay = FirstDelay * (1 << doublings);
        return delay < MaxDelay ? delay : MaxDelay;
    }

    public void Dispose() => _failures.Dispose();

    private sealed class Counter
    {
        private int _count;

        public int Increment() => Interlocked.Increment(ref _count);
    }
}
