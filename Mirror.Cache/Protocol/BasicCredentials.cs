using System.Net.Http.Headers;
using System.Text;

namespace Mirror.Cache.Protocol;

/// <summary>A user and password from an <c>Authorization: Basic</c> header (RFC 7617). Never logged, never a metric label.</summary>
public sealed record BasicCredentials(string User, string Password)
{
    /// <summary>
    /// Reads a Basic header; <c>null</c> when the header is of another scheme or is not <c>base64(user:password)</c>.
    /// </summary>
    public static BasicCredentials? TryParse(string? header)
    {
        if (header is null || !AuthenticationHeaderValue.TryParse(header, out var value) || !value.Scheme.Equals(AuthChallenge.Basic, StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return null;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? new BasicCredentials(pair[..colon], pair[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public AuthenticationHeaderValue ToHeader() => new(AuthChallenge.Basic, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));

    /// <summary>Keeps the password out of anything that prints the record.</summary>
    public override string ToString() => $"{User}:***";
}
