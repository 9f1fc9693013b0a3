using System.Globalization;

namespace Mirror.Cache.Quota;

/// <summary>
/// The pulls of an upstream's quota kept for clients (<c>mirror.quota.reserve</c>): a number of pulls
/// (<c>10</c>), or a share of the limit (<c>20%</c>); background work waits while no more than this is left.
/// </summary>
public readonly record struct PullReserve(long Value, bool IsPercent)
{
    /// <summary>The default: a fifth of the limit.</summary>
    public static readonly PullReserve Default = new(20, true);

    /// <summary><c>20%</c> (a whole percentage from 0 to 100) or <c>10</c> (pulls); <c>null</c> for anything else.</summary>
    public static PullReserve? TryParse(string? text)
    {
        var value = text?.Trim() ?? string.Empty;
        var percent = value.EndsWith('%');
        return long.TryParse(percent ? value[..^1] : value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && (!percent || number <= 100)
            ? new PullReserve(number, percent)
            : null;
    }

    /// <summary>The pulls kept of a quota of <paramref name="limit"/>: a share rounded up; <c>null</c> for a share of a limit not known.</summary>
    public long? PullsOf(long? limit) =>
        !IsPercent ? Value : limit is { } pulls ? (long)Math.Ceiling(pulls * (Value / 100.0)) : null;

    public override string ToString() => IsPercent ? $"{Value}%" : Value.ToString(CultureInfo.InvariantCulture);
}
