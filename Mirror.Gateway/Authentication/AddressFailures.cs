namespace Mirror.Gateway.Authentication;

/// <summary>
/// One address's failed logins (<see cref="FailedLogins"/>): a record per user name it tried, its failures in
/// all (any name), and its failed bearer tokens. It keeps at most <see cref="NamesKept"/> names, and takes
/// each from a budget shared by all addresses, so names sprayed from one address or many cost bounded
/// memory. To make room it forgets a name no attempt is using whose failures may go: one past the window,
/// one without failures, or one the check does not know (an unknown name has nothing to guess); a known
/// user's failures stay. With no room at all, new names share one record: they are slowed together rather
/// than not at all.
/// </summary>
internal sealed class AddressFailures(NameBudget budget)
{
    public const int NamesKept = 256;

    private readonly Dictionary<string, UserFailures> _names = new(StringComparer.Ordinal);
    private readonly UserFailures _shared = new();
    private readonly UserFailures _tokens = new();
    private long _lastFailure;
    private int _failures;
    private bool _dropped;

    /// <summary>Whether the address has failed <see cref="FailedLogins.Allowed"/> times within the window, whatever the names.</summary>
    public bool IsSpraying(long now) =>
        Volatile.Read(ref _failures) >= FailedLogins.Allowed && now - Interlocked.Read(ref _lastFailure) <= FailedLogins.Window.Ticks;

    public void Failed(long now)
    {
        if (now - Interlocked.Exchange(ref _lastFailure, now) > FailedLogins.Window.Ticks)
        {
            Volatile.Write(ref _failures, 0);
        }

        Interlocked.Increment(ref _failures);
    }

    /// <summary>
    /// The record of <paramref name="user"/>, held in use until <see cref="Leave"/>; <c>null</c> names the
    /// address's failed bearer tokens, which carry no user name a failure could be counted against.
    /// </summary>
    public UserFailures Enter(string? user, bool known, long now)
    {
        lock (_names)
        {
            var record = user is null ? _tokens : null;
            if (record is null && !_names.TryGetValue(user!, out record) && !_dropped && MakeRoom(now))
            {
                record = new UserFailures();
                _names.Add(user!, record);
            }

            record ??= _shared;
            if (now - record.LastSeen > FailedLogins.Window.Ticks)
            {
                record.Forget();
            }

            record.Known = known;
            record.LastSeen = now;
            record.InUse++;
            return record;
        }
    }

    public void Leave(UserFailures record)
    {
        lock (_names)
        {
            record.InUse--;
        }
    }

    /// <summary>Gives the address's names back to the budget once it is forgotten; it keeps no new ones after.</summary>
    public void Drop()
    {
        lock (_names)
        {
            _dropped = true;
            budget.Give(_names.Count);
            _names.Clear();
        }
    }

    /// <summary>A place for one more name: from the budget, or one forgotten.</summary>
    private bool MakeRoom(long now) => (_names.Count < NamesKept && budget.TryTake()) || ForgetOne(now);

    /// <summary>Forgets the longest unseen name that may go; its place is the new name's.</summary>
    private bool ForgetOne(long now)
    {
        string? oldest = null;
        var seen = long.MaxValue;
        foreach (var (name, record) in _names)
        {
            var mayGo = record.InUse == 0 && (now - record.LastSeen > FailedLogins.Window.Ticks || record.Failures == 0 || !record.Known);
            if (mayGo && record.LastSeen < seen)
            {
                (oldest, seen) = (name, record.LastSeen);
            }
        }

        if (oldest is null)
        {
            return false;
        }

        _names.Remove(oldest);
        return true;
    }
}
