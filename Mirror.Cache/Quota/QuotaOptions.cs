namespace Mirror.Cache.Quota;

/// <summary>What the pull quota's policy needs to know of the configuration.</summary>
public sealed class QuotaOptions
{
    /// <summary>The pulls kept for clients on every upstream (<c>mirror.quota.reserve</c>); default <c>20%</c>.</summary>
    public PullReserve Reserve { get; set; } = PullReserve.Default;

    /// <summary>Each upstream's own reserve (<c>mirror.upstreams.&lt;host&gt;.quota.reserve</c>), by registry host; default none.</summary>
    public IDictionary<string, PullReserve> Reserves { get; } = new Dictionary<string, PullReserve>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The registry host of the first upstream (the <c>proxy</c> section's), which background work names <c>""</c>; default <c>docker.io</c>.</summary>
    public string FirstUpstream { get; set; } = "docker.io";

    /// <summary>The reserve of <paramref name="upstream"/>: its own, else <see cref="Reserve"/>.</summary>
    public PullReserve ReserveOf(string upstream) => Reserves.TryGetValue(upstream, out var reserve) ? reserve : Reserve;
}
