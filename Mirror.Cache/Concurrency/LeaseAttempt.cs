namespace Mirror.Cache.Concurrency;

/// <summary>The answer to a lease request: the lease, or the value of whoever holds it, or that nobody could be asked.</summary>
public sealed record LeaseAttempt(IClusterLease? Lease, string? HeldBy, bool Unavailable)
{
    public static LeaseAttempt Won(IClusterLease lease) => new(lease, null, false);

    public static LeaseAttempt Lost(string holder) => new(null, holder, false);

    public static readonly LeaseAttempt CannotAsk = new(null, null, true);
}
