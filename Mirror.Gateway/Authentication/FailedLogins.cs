using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Slows down an address that keeps failing to log in. From the <see cref="Allowed"/>th failure within
/// <see cref="Window"/>, every further attempt from that address (right or wrong, so a guesser learns
/// nothing from how fast it is answered) waits its turn: one check at a time, each after a delay that
/// doubles up to <see cref="MaxDelay"/>. Only that address is slowed, so a stranger cannot lock anyone
/// else out, and an address that stops failing is forgotten after the window.
/// </summary>
internal sealed class FailedLogins(TimeProvider time) : IDisposable
{
    public const int Allowed = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    private readonly MemoryCache _addresses = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>
    /// Runs <paramref name="check"/> for a login from <paramref name="address"/>: at once for an address in
    /// good standing; in turn and after its delay for one that has failed too often. A failed check counts.
    /// </summary>
    public async Task<bool> CheckAsync(IPAddress? address, Func<CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        var record = RecordOf(address);
        var delay = record.Delay;
        if (delay == TimeSpan.Zero)
        {
            return Count(record, await check(cancellationToken));
        }

        await record.Turn.WaitAsync(cancellationToken);
        try
        {
            await Task.Delay(record.Delay, time, cancellationToken);
            return Count(record, await check(cancellationToken));
        }
        finally
        {
            record.Turn.Release();
        }
    }

    /// <summary>Counts a failure decided elsewhere (a bad token) and waits what the address has earned.</summary>
    public Task FailedAsync(IPAddress? address, CancellationToken cancellationToken) =>
        Record(address) is { } delay && delay > TimeSpan.Zero ? Task.Delay(delay, time, cancellationToken) : Task.CompletedTask;

    /// <summary>Counts a failure from <paramref name="address"/> and returns the delay its next attempt will wait.</summary>
    public TimeSpan Record(IPAddress? address)
    {
        var record = RecordOf(address);
        record.Failed();
        return record.Delay;
    }

    public void Dispose() => _addresses.Dispose();

    private static bool Count(AddressRecord record, bool accepted)
    {
        if (!accepted)
        {
            record.Failed();
        }

        return accepted;
    }

    private AddressRecord RecordOf(IPAddress? address) =>
        _addresses.GetOrCreate(address?.ToString() ?? "-", entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Window;
            return new AddressRecord();
        })!;

    /// <summary>An address's failures, and the turn its attempts wait for once it has too many.</summary>
    private sealed class AddressRecord
    {
        private int _failures;

        public SemaphoreSlim Turn { get; } = new(1, 1);

        public TimeSpan Delay
        {
            get
            {
                var failures = Volatile.Read(ref _failures);
                if (failures < Allowed)
                {
                    return TimeSpan.Zero;
                }

                var delay = FirstDelay * (1 << Math.Min(failures - Allowed, 10));
                return delay < MaxDelay ? delay : MaxDelay;
            }
        }

        public void Failed() => Interlocked.Increment(ref _failures);
    }
}
