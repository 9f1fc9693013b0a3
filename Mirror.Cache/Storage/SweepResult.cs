namespace Mirror.Cache.Storage;

/// <summary>What a sweep removed, and what it had to leave because it was being read.</summary>
public sealed record SweepResult(int Expired, long ExpiredBytes, int Evicted, long EvictedBytes, int Busy);
