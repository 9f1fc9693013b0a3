namespace Mirror.Cache.Quota;

/// <summary>
/// One upstream's quota as counted for one <paramref name="Source"/> (the address or account of
/// <c>docker-ratelimit-source</c>; <c>""</c> while the upstream has not named one): what it last said, the
/// hold on manifest <c>GET</c>s, and the pulls the mirror spent within the window (the upstream's, else
/// <see cref="PullQuota.DefaultWindow"/>).
/// </summary>
public sealed record QuotaRecord(string Upstream, string Source, QuotaReading? Reading, PullHold? Hold, int Spent)
{
    /// <summary>The window the upstream counts in, as it said, else <see cref="PullQuota.DefaultWindow"/>.</summary>
    public TimeSpan Window => Reading?.Window ?? PullQuota.DefaultWindow;
}
