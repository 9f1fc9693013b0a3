using Microsoft.Net.Http.Headers;

namespace Mirror.Gateway.Blobs;

/// <summary>
/// The part of a blob a response carries, from the request's <c>Range</c> header (RFC 9110 14.2). One range
/// is honoured; several, or another unit, are answered with the whole blob, as the RFC allows.
/// </summary>
internal readonly record struct ByteRange(long Start, long End, bool Partial)
{
    public long Length => End - Start;

    /// <summary>The range to send of a blob of <paramref name="length"/> bytes, or <c>null</c> when unsatisfiable (416).</summary>
    public static ByteRange? Resolve(RangeHeaderValue? header, long length)
    {
        var whole = new ByteRange(0, length, false);
        if (header is null || !"bytes".Equals(header.Unit.Value, StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1)
        {
            return whole;
        }

        var item = header.Ranges.Single();
        if (item.From is null)
        {
            // A suffix range: the last N bytes.
            return item.To is > 0 and { } suffix ? new ByteRange(Math.Max(0, length - suffix), length, true) : null;
        }

        if (item.From >= length)
        {
            return null;
        }

        var end = item.To is { } to ? Math.Min(to + 1, length) : length;
        return new ByteRange(item.From.Value, end, true);
    }
}
