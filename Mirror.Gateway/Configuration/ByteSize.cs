using System.Globalization;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Sizes as operators write them: a number and a unit, decimal (<c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>) or
/// binary (<c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>), or plain bytes (<c>1048576</c>, <c>10B</c>).
/// </summary>
internal static class ByteSize
{
    private static readonly (string Unit, double Bytes)[] Units =
    [
        ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10),
        ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1),
    ];

    /// <summary>A size as people read it, in binary units: <c>512 B</c>, <c>2.1 MiB</c>.</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, size) in Units.Take(4))
        {
            if (bytes >= size)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / size:0.0} {unit}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
    }

    public static long? TryParse(string? text)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        var (unit, bytes) = Units.FirstOrDefault(u => trimmed.EndsWith(u.Unit, StringComparison.OrdinalIgnoreCase));
        var number = unit is null ? trimmed : trimmed[..^unit.Length].TrimEnd();
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        var total = value * (unit is null ? 1 : bytes);
        return total is >= 0 and < long.MaxValue ? (long)total : null;
    }
}
