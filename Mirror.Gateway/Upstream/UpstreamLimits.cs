using Mirror.Cache.Upstream;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Bounds on how much of an upstream's answers the mirror reads into memory (<c>mirror.limits</c>), so an
/// upstream, or a token realm it names, that sends without end costs a bounded read and a 502 naming the
/// key, not the mirror's memory. Manifests (4 MiB, the distribution spec's bound) and error bodies (64 KiB)
/// have fixed bounds of their own.
/// </summary>
internal sealed class UpstreamLimits
{
    /// <summary>The largest value the size keys take: what one buffer in memory can hold, with room.</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>
    /// A repository's tag list, all its pages together (<c>mirror.limits.taglistbytes</c>); default 8 MiB,
    /// some 300,000 tags of Docker Hub's usual length.
    /// </summary>
    public long TagListBytes { get; set; } = 8L << 20;

    /// <summary>The pages of a tag list followed (<c>mirror.limits.taglistpages</c>); default 100.</summary>
    public int TagListPages { get; set; } = 100;

    /// <summary>A token realm's answer (<c>mirror.limits.tokenbytes</c>); default 256 KiB, where tokens are a few KiB.</summary>
    public long TokenBytes { get; set; } = 256L << 10;

    public UpstreamError TagListTooLarge() =>
        UpstreamError.OverLimit(ConfigurationKeys.TagListBytes, $"the upstream's tag list is over {TagListBytes} bytes, the bound {ConfigurationKeys.TagListBytes} sets");

    public UpstreamError TagListTooLong() =>
        UpstreamError.OverLimit(ConfigurationKeys.TagListPages, $"the upstream's tag list has over {TagListPages} pages, the bound {ConfigurationKeys.TagListPages} sets");

    public UpstreamError TokenTooLarge(string realm) =>
        UpstreamError.OverLimit(ConfigurationKeys.TokenBytes, $"the token realm {realm} answered with over {TokenBytes} bytes, the bound {ConfigurationKeys.TokenBytes} sets");
}
