namespace Mirror.Cache.Tags;

/// <summary>How tags are kept fresh.</summary>
public sealed class TagOptions
{
    /// <summary>
    /// Within this long of the last upstream check, a tag is served from what the mirror knows without asking
    /// the upstream (<c>mirror.tagttl</c>); default zero: every tag request asks with a HEAD.
    /// </summary>
    public TimeSpan Ttl { get; set; }
}
