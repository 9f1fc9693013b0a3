namespace Mirror.Cache.Fills;

/// <summary>How fills fetch from the upstream.</summary>
internal sealed class FillOptions
{
    /// <summary>How many times a fill resumes (with a <c>Range</c> request) after the upstream breaks off; default 3.</summary>
    public int MaxResumes { get; set; } = 3;

    /// <summary>The wait before the first resume, doubled for each further one; default 250 ms.</summary>
    public TimeSpan ResumeBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A body that sends nothing for this long is treated as broken off and resumed (<c>mirror.timeouts.idle</c>); default 30 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first request for a blob is asked again after failures only within this long (<c>mirror.timeouts.firstbyte</c>),
    /// so a dead upstream holds a client at most about this long; default 30 s.
    /// </summary>
    public TimeSpan FirstByteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The size of each read from the upstream and write to the temp file; default 256 KiB.</summary>
    public int BufferSize { get; set; } = 256 * 1024;
}
