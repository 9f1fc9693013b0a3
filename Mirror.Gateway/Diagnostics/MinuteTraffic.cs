namespace Mirror.Gateway.Diagnostics;

/// <summary>A minute's traffic (or a total): manifest and blob requests, how they were answered, and bytes each way.</summary>
internal sealed record MinuteTraffic(DateTimeOffset Minute, long Requests, long Hits, long Misses, long BytesServed, long BytesPulled)
{
    /// <summary>Hits among the requests the cache answered; <c>null</c> before any.</summary>
    public double? HitRatio => Hits + Misses > 0 ? (double)Hits / (Hits + Misses) : null;

    /// <summary>The share of bytes sent to clients that did not have to be pulled; <c>null</c> before any.</summary>
    public double? BytesSavedRatio => BytesServed > 0 ? Math.Max(0, 1 - ((double)BytesPulled / BytesServed)) : null;

    /// <summary>This with <paramref name="value"/> more of the instrument at <paramref name="kind"/> (the order of <see cref="TrafficHistory"/>'s).</summary>
    public MinuteTraffic Add(int kind, long value) => kind switch
    {
        0 => this with { Requests = Requests + value },
        1 => this with { Hits = Hits + value },
        2 => this with { Misses = Misses + value },
        3 => this with { BytesServed = BytesServed + value },
        _ => this with { BytesPulled = BytesPulled + value },
    };
}
