using System.Globalization;

namespace Mirror.Cache.Protocol;

/// <summary>
/// The <c>Retry-After</c> header (RFC 9110 10.2.3): a delay in whole seconds, or an HTTP date. A server sends
/// it with a <c>429</c> (RFC 6585 4) to say when a request may succeed again.
/// </summary>
public static class RetryAfter
{
    /// <summary>
    /// How long from <paramref name="now"/> the header <paramref name="value"/> asks to wait (zero for a date
    /// already past); <c>null</c> when there is no header or it is neither form.
    /// </summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue));
        }

        // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), which recipients must accept; "r" is that pattern.
        return DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date > now ? date - now : TimeSpan.Zero
            : null;
    }

    /// <summary>The header's value for a wait of <paramref name="wait"/>: whole seconds, rounded up, at least 1.</summary>
    public static string Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
