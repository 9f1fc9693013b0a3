namespace Mirror.Gateway.Authentication;

/// <summary>
/// One user name's failed logins from one address (<see cref="FailedLogins"/>): how many within the window,
/// when the name was last tried, and the turn its checks take one at a time. The fields the address's lock
/// guards are <see cref="Known"/>, <see cref="InUse"/> and <see cref="LastSeen"/>.
/// </summary>
internal sealed class UserFailures
{
    private int _failures;

    /// <summary>One check at a time, so guesses at one name sent in parallel are checked one after another.</summary>
    public SemaphoreSlim Turn { get; } = new(1, 1);

    /// <summary>Whether the check knows the name (an htpasswd user): such a name's failures are not forgotten to make room.</summary>
    public bool Known { get; set; }

    /// <summary>Attempts that entered and have not left; a record in use is never forgotten.</summary>
    public int InUse { get; set; }

    /// <summary>When the name was last tried (<see cref="DateTimeOffset.UtcTicks"/>).</summary>
    public long LastSeen { get; set; }

    public int Failures => Volatile.Read(ref _failures);

    /// <summary>What the next check of this name waits before it runs.</summary>
    public TimeSpan Delay => DelayAfter(Failures);

    public void Failed() => Interlocked.Increment(ref _failures);

    /// <summary>Starts over, once the name has not been tried for the window.</summary>
    public void Forget() => Volatile.Write(ref _failures, 0);

    /// <summary>Nothing below <see cref="FailedLogins.Allowed"/> failures, then doubling from 250 ms to <see cref="FailedLogins.MaxDelay"/>.</summary>
    public static TimeSpan DelayAfter(int failures)
    {
        if (failures < FailedLogins.Allowed)
        {
            return TimeSpan.Zero;
        }

        var delay = FailedLogins.FirstDelay * (1 << Math.Min(failures - FailedLogins.Allowed, 10));
        return delay < FailedLogins.MaxDelay ? delay : FailedLogins.MaxDelay;
    }
}
