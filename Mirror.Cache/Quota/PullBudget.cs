using Microsoft.Extensions.Options;

namespace Mirror.Cache.Quota;

/// <summary>
/// The budget of background work (<see cref="IPullBudget"/>): it may spend a pull on an upstream unless GETs
/// to it are held back, or the upstream last said no more pulls are left than the reserve kept for clients
/// (<c>mirror.quota.reserve</c>, per upstream <c>mirror.upstreams.&lt;host&gt;.quota.reserve</c>).
/// </summary>
internal sealed class PullBudget(PullQuota quota, IOptions<QuotaOptions> options, TimeProvider time) : IPullBudget
{
    public PullDeferral? DeferBackground(string upstream)
    {
        var name = upstream.Length == 0 ? options.Value.FirstUpstream : upstream;
        return Decide(name, quota.Of(name), options.Value.ReserveOf(name), time.GetUtcNow());
    }

    /// <summary>
    /// Whether background work on <paramref name="upstream"/> waits, given its <paramref name="record"/> and
    /// <paramref name="reserve"/> at <paramref name="now"/>: while GETs are held, until the hold ends; while the
    /// last reading (within its window) leaves no more than the reserve, until enough pulls should have come
    /// back (an estimate: the window's pulls leaving it evenly, at least a minute on, at most a window).
    /// </summary>
    internal static PullDeferral? Decide(string upstream, QuotaRecord? record, PullReserve reserve, DateTimeOffset now)
    {
        if (record?.Hold is { } hold && hold.HoldsAt(now))
        {
            return new PullDeferral(hold.Until, $"manifest GETs to {upstream} are held back: {hold.Reason}");
        }

        if (record?.Reading is not { Remaining: { } remaining } reading || reading.At <= now - record.Window)
        {
            return null;
        }

        var kept = reserve.PullsOf(reading.Limit) ?? 0;
        if (remaining > kept)
        {
            return null;
        }

        var wanted = kept - remaining + 1;
        var back = reading.Limit is > 0 and var limit ? record.Window * ((double)wanted / limit) : record.Window;
        var until = reading.At + (back < record.Window ? back : record.Window);
        var soonest = now + QuotaBackoff.First;
        var limitText = reading.Limit is { } l ? $" of {l}" : string.Empty;
        return new PullDeferral(
            until > soonest ? until : soonest,
            $"{remaining}{limitText} pulls left on {upstream}, at or below the {reserve} ({kept} pulls) kept for clients (mirror.quota.reserve)");
    }
}
