namespace Mirror.Cache.Quota;

/// <summary>
/// What an upstream last said of its quota for one source, and when: <paramref name="Limit"/> pulls per
/// rolling <paramref name="Window"/>, <paramref name="Remaining"/> of them left (each <c>null</c> when unsaid).
/// </summary>
public sealed record QuotaReading(long? Limit, long? Remaining, TimeSpan? Window, DateTimeOffset At);
