namespace Mirror.Cache.Quota;

/// <summary>
/// How long manifest <c>GET</c>s wait after a refusal that named no time: a minute after the first, doubling
/// with each refusal found after the last wait ran out, never longer than the quota's window (by then every
/// pull counted in it has left it).
/// </summary>
public static class QuotaBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMinutes(1);

    /// <summary>The wait after the <paramref name="refusals"/>th refusal in a row (1 for the first), capped at <paramref name="window"/>.</summary>
    public static TimeSpan Delay(int refusals, TimeSpan window)
    {
        // 2^20 minutes is two years: past any window, and far from overflowing.
        var doublings = Math.Clamp(refusals - 1, 0, 20);
        var delay = First * (1L << doublings);
        return delay < window ? delay : window;
    }
}
