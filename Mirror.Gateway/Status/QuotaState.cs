namespace Mirror.Gateway.Status;

/// <summary>
/// An upstream's pull quota as the mirror keeps it (<see cref="Mirror.Cache.Quota.PullQuota"/>): what the upstream
/// last said (<c>ratelimit-limit</c>, <c>ratelimit-remaining</c>, the window in seconds, <c>docker-ratelimit-source</c>)
/// and when, whether manifest <c>GET</c>s are held back and until when, and the pulls the mirror spent in the
/// last window.
/// </summary>
internal sealed record QuotaState(
    long? Limit,
    long? Remaining,
    long WindowSeconds,
    string? Source,
    DateTimeOffset? SaidAt,
    bool Held,
    DateTimeOffset? HeldUntil,
    string? HeldReason,
    int Spent);
