using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mirror.Cache.Concurrency;

/// <summary>
/// How the nodes of a cluster prove a request to each other: an HMAC-SHA256, keyed with the secret they share
/// (distribution's <c>http.secret</c>), of what the request asks for and a Unix time stamp, sent as
/// <c>Authorization: MirrorNode t=SECONDS,s=HEX</c>. A stamp further than <see cref="Skew"/> from the receiver's
/// clock is refused, so a header seen on the wire grants that one subject for a short while only. Without a
/// secret nothing verifies: the check fails closed.
/// </summary>
public static class NodeSignature
{
    /// <summary>The <c>Authorization</c> scheme.</summary>
    public const string Scheme = "MirrorNode";

    /// <summary>How far a stamp may be from the receiver's clock, either way.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    /// <summary>The <c>Authorization</c> value for <paramref name="subject"/> at <paramref name="now"/>.</summary>
    public static string Sign(string secret, string subject, DateTimeOffset now)
    {
        var stamp = now.ToUnixTimeSeconds();
        return $"{Scheme} t={stamp.ToString(CultureInfo.InvariantCulture)},s={Mac(secret, subject, stamp)}";
    }

    /// <summary>Whether <paramref name="header"/> signs <paramref name="subject"/> with <paramref name="secret"/>, stamped within <see cref="Skew"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string? secret, string? header, string subject, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret) || header is null || !header.StartsWith(Scheme + " t=", StringComparison.Ordinal))
        {
            return false;
        }

        var fields = header[(Scheme.Length + 3)..].Split(",s=");
        if (fields.Length != 2 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var stamp)
            || Math.Abs(now.ToUnixTimeSeconds() - stamp) > Skew.TotalSeconds)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(secret, subject, stamp)), Encoding.ASCII.GetBytes(fields[1]));
    }

    private static string Mac(string secret, string subject, long stamp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{subject}\n{stamp.ToString(CultureInfo.InvariantCulture)}")));
}
