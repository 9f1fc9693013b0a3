using System.Globalization;

namespace Mirror.Cache.Protocol;

/// <summary>
/// Docker Hub's pull quota as one manifest answer states it (docs.docker.com "Docker Hub usage and limits"):
/// <c>ratelimit-limit: 100;w=21600</c> (pulls per rolling window of <c>w</c> seconds),
/// <c>ratelimit-remaining: 76;w=21600</c>, and <c>docker-ratelimit-source</c>, the address or account the
/// pulls are counted for. Each part is <c>null</c> when the upstream did not say it, or said it in a form
/// that is not this one (then it is as good as unsaid: nothing is guessed).
/// </summary>
public sealed record PullAllowance(long? Limit, long? Remaining, TimeSpan? Window, string? Source)
{
    /// <summary>A source longer than this is not kept: it names an address or an account, and goes to Redis and the status page.</summary>
    private const int MaxSourceLength = 128;

    /// <summary>
    /// What <paramref name="headers"/> (an answer's rate-limit headers, <see cref="RegistryHeaders.RateLimit"/>)
    /// say of the quota; <c>null</c> when they say nothing usable. The window is the limit's <c>w</c>, else
    /// the remaining count's.
    /// </summary>
    public static PullAllowance? Read(IEnumerable<KeyValuePair<string, string>> headers)
    {
        (long Count, TimeSpan? Window)? limit = null, remaining = null;
        string? source = null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals(RegistryHeaders.RateLimitLimit, StringComparison.OrdinalIgnoreCase))
            {
                limit = ParseCount(value);
            }
            else if (name.Equals(RegistryHeaders.RateLimitRemaining, StringComparison.OrdinalIgnoreCase))
            {
                remaining = ParseCount(value);
            }
            else if (name.Equals(RegistryHeaders.RateLimitSource, StringComparison.OrdinalIgnoreCase))
            {
                source = ParseSource(value);
            }
        }

        return limit is null && remaining is null && source is null
            ? null
            : new PullAllowance(limit?.Count, remaining?.Count, limit?.Window ?? remaining?.Window, source);
    }

    /// <summary>
    /// <c>100;w=21600</c>: a count of pulls, then parameters, of which <c>w</c> is the window in seconds. A list
    /// (<c>100;w=21600, 10;w=60</c>, the IETF draft's form) counts by its first entry, the one that binds.
    /// </summary>
    internal static (long Count, TimeSpan? Window)? ParseCount(string value)
    {
        var parts = value.Split(',')[0].Split(';', StringSplitOptions.TrimEntries);
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return null;
        }

        TimeSpan? window = null;
        foreach (var parameter in parts.Skip(1))
        {
            if (parameter.StartsWith("w=", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(parameter.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && seconds is > 0 and <= int.MaxValue)
            {
                window = TimeSpan.FromSeconds(seconds);
            }
        }

        return (count, window);
    }

    /// <summary>The source as sent, when it is one printable token of a sensible length.</summary>
    private static string? ParseSource(string value)
    {
        var source = value.Trim();
        return source.Length is > 0 and <= MaxSourceLength && source.All(c => c is > ' ' and < (char)127) ? source : null;
    }
}
