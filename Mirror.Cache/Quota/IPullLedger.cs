namespace Mirror.Cache.Quota;

/// <summary>
/// The owner of the pull quota's facts, per upstream and source: what the upstream last said, the hold on
/// manifest <c>GET</c>s, and the pulls the mirror spent. A single node keeps them in memory
/// (<see cref="PullLedger"/>); a cluster's nodes share them in Redis, so that no node spends a pull another
/// node knows is refused. A later reading or hold replaces an earlier one, whichever node writes last.
/// </summary>
internal interface IPullLedger
{
    /// <summary>Every source's record of <paramref name="upstream"/> (of every upstream when <c>null</c>), its pulls spent counted back from <paramref name="now"/>.</summary>
    Task<IReadOnlyList<QuotaRecord>> FindAsync(string? upstream, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="reading"/> unless a later one is kept.</summary>
    Task ObserveAsync(string upstream, string source, QuotaReading reading, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="hold"/> (a lifted one too) unless a later one is kept.</summary>
    Task HoldAsync(string upstream, string source, PullHold hold, CancellationToken cancellationToken);

    /// <summary>Counts a pull the mirror spent at <paramref name="at"/>, kept for at least <paramref name="window"/>.</summary>
    Task SpendAsync(string upstream, string source, DateTimeOffset at, TimeSpan window, CancellationToken cancellationToken);
}
