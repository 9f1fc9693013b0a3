using Microsoft.Net.Http.Headers;

namespace Mirror.Gateway.Blobs;

/// <summary>One part of a blob a response carries (RFC 9110 14.1.2), <see cref="End"/> exclusive.</summary>
internal readonly record struct ByteRange(long Start, long End, bool Partial)
{
    public long Length => End - Start;

    /// <summary>Whether the range is the whole of a blob of <paramref name="length"/> bytes.</summary>
    public bool IsWhole(long length) => Start == 0 && End == length;

    /// <summary>The part of a blob of <paramref name="length"/> bytes that <paramref name="item"/> asks for; <c>null</c> when it has none of it.</summary>
    public static ByteRange? Of(RangeItemHeaderValue item, long length)
    {
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
