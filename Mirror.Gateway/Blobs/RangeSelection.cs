using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Headers;

namespace Mirror.Gateway.Blobs;

/// <summary>
/// What a request's <c>Range</c> asks of a blob (RFC 9110 14.2): the whole blob (no range, another unit, an
/// <c>If-Range</c> that does not match the digest's ETag, more ranges than <c>mirror.limits.maxranges</c>,
/// or ranges that together are no smaller than the blob), one range, several (a <c>multipart/byteranges</c>
/// answer), or none of the blob's bytes (416).
/// </summary>
internal sealed class RangeSelection
{
    private RangeSelection(IReadOnlyList<ByteRange> ranges, bool satisfiable) => (Ranges, Satisfiable) = (ranges, satisfiable);

    /// <summary>The parts to send, in the order asked: one that is not partial for the whole blob.</summary>
    public IReadOnlyList<ByteRange> Ranges { get; }

    /// <summary>False when no range asked for has any of the blob's bytes (416).</summary>
    public bool Satisfiable { get; }

    public bool Multipart => Ranges.Count > 1;

    public static RangeSelection Whole(long length) => new([new ByteRange(0, length, false)], true);

    public static RangeSelection Resolve(RequestHeaders request, string etag, long length, int maxRanges)
    {
        var header = request.Range;
        if (header is null || !"bytes".Equals(header.Unit.Value, StringComparison.OrdinalIgnoreCase) || !IfRangeHolds(request.IfRange, etag))
        {
            return Whole(length);
        }

        // RFC 9110 14.2: a server may ignore a Range it finds too costly; many ranges are answered whole.
        if (header.Ranges.Count > maxRanges)
        {
            return Whole(length);
        }

        var ranges = header.Ranges.Select(item => ByteRange.Of(item, length)).OfType<ByteRange>().ToList();
        if (ranges.Count == 0)
        {
            return new RangeSelection([], false);
        }

        // Ranges that together are no smaller than the blob (overlapping ones, say) cost more than the blob:
        // it is sent whole, as Go's ServeContent does.
        return ranges.Count > 1 && ranges.Sum(r => r.Length) >= length ? Whole(length) : new RangeSelection(ranges, true);
    }

    /// <summary>
    /// RFC 9110 13.1.5: without <c>If-Range</c> the range holds; with it, only when it names the current
    /// representation by a strong ETag. A blob's ETag is its digest, which never changes; the mirror sends
    /// no <c>Last-Modified</c>, so a date never matches.
    /// </summary>
    private static bool IfRangeHolds(RangeConditionHeaderValue? condition, string etag) =>
        condition is null || (condition.EntityTag is { IsWeak: false } tag && tag.Tag.Equals(etag, StringComparison.Ordinal));
}
