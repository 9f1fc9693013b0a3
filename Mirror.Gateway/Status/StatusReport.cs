using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Status;

/// <summary>What the status page shows, and <c>/status.json</c> sends: the mirror's state at one moment.</summary>
internal sealed record StatusReport(
    DateTimeOffset At,
    TimeSpan Uptime,
    IReadOnlyList<UpstreamState> Upstreams,
    MinuteTraffic Traffic,
    IReadOnlyList<MinuteTraffic> LastHour,
    StoreState Store,
    IReadOnlyList<RepositoryActivity> TopByPulls,
    IReadOnlyList<RepositoryActivity> TopByBytes,
    IReadOnlyList<PullRecord> LastPulls,
    IReadOnlyList<FillStatus> Fills,
    IReadOnlyList<PolicyRefusal> Refusals,
    WatchState Watch);
