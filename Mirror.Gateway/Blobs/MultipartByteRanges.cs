using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Blobs;

/// <summary>
/// The framing of a <c>multipart/byteranges</c> answer (RFC 9110 14.6, the layout of RFC 2046 5.1.1 that
/// Go's <c>ServeContent</c> writes): each part's header, the closing delimiter, and so the body's length
/// before any of it is sent. ASP.NET Core serves single ranges only, hence this.
/// </summary>
internal sealed class MultipartByteRanges
{
    private readonly IReadOnlyList<ByteRange> _ranges;
    private readonly long _length;
    private readonly string _boundary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public MultipartByteRanges(IReadOnlyList<ByteRange> ranges, long length) => (_ranges, _length) = (ranges, length);

    public string ContentType => $"multipart/byteranges; boundary={_boundary}";

    public long ContentLength => Enumerable.Range(0, _ranges.Count).Sum(i => PartHeader(i).Length + _ranges[i].Length) + Closing.Length;

    /// <summary>The delimiter and headers before part <paramref name="index"/>; every part but the first starts on a new line.</summary>
    public byte[] PartHeader(int index) => Encoding.ASCII.GetBytes(string.Create(
        CultureInfo.InvariantCulture,
        $"{(index == 0 ? string.Empty : "\r\n")}--{_boundary}\r\nContent-Type: {MediaTypes.OctetStream}\r\nContent-Range: bytes {_ranges[index].Start}-{_ranges[index].End - 1}/{_length}\r\n\r\n"));

    public byte[] Closing => Encoding.ASCII.GetBytes($"\r\n--{_boundary}--\r\n");
}
