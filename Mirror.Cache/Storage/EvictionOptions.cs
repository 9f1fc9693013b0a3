namespace Mirror.Cache.Storage;

/// <summary>How the store bounds itself.</summary>
public sealed class EvictionOptions
{
    /// <summary>Content not pulled for this long is removed (<c>proxy.ttl</c>); default 168 hours, zero keeps it forever.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(168);

    /// <summary>The store's size budget in bytes (<c>mirror.maxsize</c>); default none.</summary>
    public long? MaxSize { get; set; }

    /// <summary>Past the budget, the least recently pulled content goes until the store is this fraction of it (<c>mirror.lowwatermark</c>); default 0.9.</summary>
    public double LowWatermark { get; set; } = 0.9;

    /// <summary>Below this much free disk space, new content is not stored (<c>mirror.minfreespace</c>); default 0, no floor.</summary>
    public long MinFreeSpace { get; set; }

    /// <summary>How often expiry runs (<c>mirror.sweepinterval</c>); default 10 minutes. The budget is also enforced after each commit that passes it.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);
}
