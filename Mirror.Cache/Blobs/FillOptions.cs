namespace Mirror.Cache.Blobs;

/// <summary>How fills fetch from the upstream (their time bounds are each upstream's, <see cref="Upstream.IBlobSource.FirstByteTimeout"/>).</summary>
public sealed class FillOptions
{
    /// <summary>How many times a fill resumes (with a <c>Range</c> request) after the upstream breaks off; default 3.</summary>
    public int MaxResumes { get; set; } = 3;

    /// <summary>The wait before the first resume, doubled for each further one; default 250 ms.</summary>
    public TimeSpan ResumeBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The size of each read from the upstream and write to the temp file; default 256 KiB.</summary>
    public int BufferSize { get; set; } = 256 * 1024;
}
