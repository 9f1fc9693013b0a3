using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Slows down guessing without slowing anyone else down. Failures are counted per address and user name:
/// from the <see cref="Allowed"/>th failure of a name from an address within <see cref="Window"/>, each
/// further check of that name from that address (right or wrong, so a guesser learns nothing from how fast
/// it is answered) waits a delay doubling from 250 ms to <see cref="MaxDelay"/>; and a name's checks from
/// an address run one at a time, so guesses sent in parallel gain nothing. Other names from that address,
/// and other addresses, are not held up: a user who keeps failing, or someone guessing, behind a shared
/// address does not delay a colleague's login. Credentials remembered as good
/// (<see cref="VerifiedCredentials"/>) never come here.
/// </summary>
/// <remarks>
/// An address that has failed <see cref="Allowed"/> times in all within the window is spraying names; the
/// check is told, so that its unknown names cost no more bcrypt runs (<see cref="HtpasswdUsers"/>).
/// </remarks>
internal sealed class FailedLogins : IDisposable
{
    public const int Allowed = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>User names kept across all addresses (some 200 bytes each).</summary>
    private const int NamesKept = 200_000;

    private readonly TimeProvider _time;
    private readonly NameBudget _names = new(NamesKept);
    private readonly MemoryCache _addresses = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public FailedLogins(TimeProvider time) => _time = time;

    /// <summary>
    /// Runs <paramref name="check"/> for a login as <paramref name="user"/> from <paramref name="address"/>,
    /// after the name's earlier checks from there and its delay; <paramref name="known"/> says whether the
    /// check knows the name. The check is told whether the address is spraying names. A failed check counts.
    /// </summary>
    public async Task<bool> CheckAsync(IPAddress? address, string user, bool known, Func<bool, CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        var from = AddressOf(address);
        var record = from.Enter(user, known, Now);
        try
        {
            await record.Turn.WaitAsync(cancellationToken);
            try
            {
                if (record.Delay is var delay && delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }

                var accepted = await check(from.IsSpraying(Now), cancellationToken);
                if (!accepted)
                {
                    Count(from, record);
                }

                return accepted;
            }
            finally
            {
                record.Turn.Release();
            }
        }
        finally
        {
            from.Leave(record);
        }
    }

    /// <summary>
    /// Counts a bearer token that failed (its signature, issuer, audience or form) and waits what the
    /// address's failed tokens have earned before the refusal. A token carries no user name that could be
    /// believed before it is verified, so an address's failed tokens are counted together; a valid token is
    /// never delayed, since checking one costs little and a token cannot be guessed.
    /// </summary>
    public Task FailedTokenAsync(IPAddress? address, CancellationToken cancellationToken) =>
        Record(address, user: null) is var delay && delay > TimeSpan.Zero ? Task.Delay(delay, _time, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Counts a failure of <paramref name="user"/> (<c>null</c>: a bearer token) from <paramref name="address"/>
    /// and returns the delay its next check will wait.
    /// </summary>
    public TimeSpan Record(IPAddress? address, string? user, bool known = true)
    {
        var from = AddressOf(address);
        var record = from.Enter(user, known, Now);
        Count(from, record);
        from.Leave(record);
        return record.Delay;
    }

    public void Dispose() => _addresses.Dispose();

    private long Now => _time.GetUtcNow().UtcTicks;

    private void Count(AddressFailures from, UserFailures record)
    {
        record.Failed();
        from.Failed(Now);
    }

    private AddressFailures AddressOf(IPAddress? address) =>
        _addresses.GetOrCreate(address?.ToString() ?? "-", entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Window;
            entry.RegisterPostEvictionCallback(static (_, value, _, _) => ((AddressFailures)value!).Drop());
            return new AddressFailures(_names);
        })!;
}
