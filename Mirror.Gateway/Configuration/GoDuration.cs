using System.Globalization;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Durations as distribution's configuration writes them (Go's <c>time.ParseDuration</c>): a sequence of
/// decimal numbers each with a unit, <c>ns</c>, <c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>
/// (<c>30s</c>, <c>168h</c>, <c>1h30m</c>), or a bare <c>0</c>.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static TimeSpan? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var rest = text.Trim().AsSpan();
        if (rest is "0")
        {
            return TimeSpan.Zero;
        }

        double ticks = 0;
        while (!rest.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            rest = rest[numberLength..];
            var unit = LongestUnitAt(rest);
            if (unit.Unit is null)
            {
                return null;
            }

            ticks += number * unit.Ticks;
            rest = rest[unit.Unit.Length..];
        }

        return ticks > TimeSpan.MaxValue.Ticks ? null : TimeSpan.FromTicks((long)ticks);
    }

    private static (string Unit, double Ticks) LongestUnitAt(ReadOnlySpan<char> text)
    {
        (string Unit, double Ticks) found = default;
        foreach (var unit in Units)
        {
            if (text.StartsWith(unit.Unit, StringComparison.Ordinal) && unit.Unit.Length > (found.Unit?.Length ?? 0))
            {
                found = unit;
            }
        }

        return found;
    }

    /// <summary>Writes <paramref name="value"/> back in the same notation, for logs and the documentation.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        _ when value == TimeSpan.Zero => "0",
        _ when value.Ticks % TimeSpan.TicksPerHour == 0 => $"{value.Ticks / TimeSpan.TicksPerHour}h",
        _ when value.Ticks % TimeSpan.TicksPerMinute == 0 => $"{value.Ticks / TimeSpan.TicksPerMinute}m",
        _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => $"{value.Ticks / TimeSpan.TicksPerSecond}s",
        _ => $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
    };
}
