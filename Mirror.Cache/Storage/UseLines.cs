using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The lines of <see cref="UseJournal"/>: <c>b sha256:&lt;hex&gt; &lt;unix ms&gt;</c> for a blob's last use,
/// <c>m</c> for a manifest's; written in batches through a pooled buffer, read back one line at a time.
/// </summary>
internal static class UseLines
{
    /// <summary>Longer than any line the journal writes: a longer one is garbage.</summary>
    public const int MaxLine = 160;

    public static void Write(FileStream stream, List<UseRecord> records, bool flush = true)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var used = 0;
            Span<char> line = stackalloc char[MaxLine];
            foreach (var record in records)
            {
                if (buffer.Length - used < MaxLine)
                {
                    stream.Write(buffer, 0, used);
                    used = 0;
                }

                var length = Format(record, line);
                used += Encoding.ASCII.GetBytes(line[..length], buffer.AsSpan(used));
            }

            stream.Write(buffer, 0, used);
            if (flush)
            {
                stream.Flush(flushToDisk: true);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Format(in UseRecord record, Span<char> line)
    {
        line[0] = record.Kind == ContentKind.Blob ? 'b' : 'm';
        line[1] = ' ';
        var length = 2;
        if (record.Sha512 is { } digest)
        {
            digest.ToString().CopyTo(line[length..]);
            length += digest.ToString().Length;
        }
        else
        {
            "sha256:".CopyTo(line[length..]);
            record.Key.FormatHex(line[(length + 7)..]);
            length += 7 + 64;
        }

        line[length++] = ' ';
        new DateTimeOffset(record.Ticks, TimeSpan.Zero).ToUnixTimeMilliseconds().TryFormat(line[length..], out var written, provider: CultureInfo.InvariantCulture);
        length += written;
        line[length++] = '\n';
        return length;
    }

    public static bool TryApply(ReadOnlySpan<byte> line, StoreIndex index)
    {
        if (line.Length < 4 || line.Length > MaxLine || line[0] is not ((byte)'b' or (byte)'m') || line[1] != ' ')
        {
            return false;
        }

        var rest = line[2..];
        var space = rest.IndexOf((byte)' ');
        if (space < 0 || !Utf8Parser.TryParse(rest[(space + 1)..], out long milliseconds, out var consumed) || consumed != rest.Length - space - 1
            || milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        Span<char> text = stackalloc char[MaxLine];
        var length = Encoding.ASCII.GetChars(rest[..space], text);
        if (!TryReadDigest(text[..length], out var key, out var sha512))
        {
            return false;
        }

        index.MergeUse(line[0] == 'b' ? ContentKind.Blob : ContentKind.Manifest, key, sha512, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcTicks);
        return true;
    }

    /// <summary>A digest as the store writes it, without a <see cref="Digest"/> for the common <c>sha256</c>.</summary>
    public static bool TryReadDigest(ReadOnlySpan<char> text, out DigestKey key, out Digest? sha512)
    {
        sha512 = null;
        if (text.StartsWith("sha256:", StringComparison.Ordinal) && text.Length == 7 + 64)
        {
            return DigestKey.TryParseHex(text[7..], isSha512: false, out key);
        }

        key = default;
        if (text.StartsWith("sha512:", StringComparison.Ordinal) && Digest.TryParse(text) is { } digest)
        {
            (key, sha512) = (DigestKey.Of(digest), digest);
            return true;
        }

        return false;
    }
}
