namespace Mirror.Tests.Support;

/// <summary>How <see cref="BlobUpstream"/> misbehaves for one blob.</summary>
internal sealed class BlobFaults
{
    /// <summary>Sends the body at this rate (in chunks of a tenth of it per 100 ms); <c>null</c> for full speed.</summary>
    public int? BytesPerSecond { get; set; }

    /// <summary>Breaks the connection after this many body bytes, for the first <see cref="CutTimes"/> responses.</summary>
    public long? CutAfter { get; set; }

    public int CutTimes { get; set; } = int.MaxValue;

    /// <summary>Stops sending for <see cref="StallFor"/> once this many body bytes are out, on the first response only.</summary>
    public long? StallAt { get; set; }

    public TimeSpan StallFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends the byte at this offset inverted.</summary>
    public long? FlipAt { get; set; }

    /// <summary>Resets this many connections before sending any response.</summary>
    public int ResetFirst { get; set; }

    /// <summary>Answers this many requests with 500 before answering properly.</summary>
    public int FailFirst { get; set; }

    /// <summary>Answers <c>Range</c> requests with the whole blob, as some upstreams do.</summary>
    public bool IgnoreRange { get; set; }
}
