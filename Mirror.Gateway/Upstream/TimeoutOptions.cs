namespace Mirror.Gateway.Upstream;

/// <summary>
/// Bounds on waiting for an upstream (<c>mirror.timeouts</c>, or <c>mirror.upstreams.&lt;host&gt;.timeouts</c>),
/// so a dead upstream never holds a client longer; one set per upstream, for every request the mirror makes to it.
/// </summary>
internal sealed class TimeoutOptions
{
    /// <summary>Establishing a connection (<c>mirror.timeouts.connect</c>); default 10 s.</summary>
    public TimeSpan Connect { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// From a request to its response headers (<c>mirror.timeouts.firstbyte</c>); default 30 s. A blob's first
    /// request is asked again after failures only within this long.
    /// </summary>
    public TimeSpan FirstByte { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Between two reads of a body (<c>mirror.timeouts.idle</c>); default 30 s. Past it a fill resumes.</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromSeconds(30);
}
