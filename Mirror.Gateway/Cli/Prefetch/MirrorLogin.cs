using System.Text;
using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// A login to the mirror, for its Basic challenge or for its token realm in the Bearer dance: from
/// <c>--username</c> with <c>--password</c> (or <c>--password-stdin</c>), or the <c>auth</c> entry that
/// <c>docker login MIRROR</c> stored for the mirror's host in docker's <c>config.json</c>
/// (<c>$DOCKER_CONFIG</c>, else <c>~/.docker</c>). Credential helpers (<c>credsStore</c>) are not asked.
/// </summary>
internal sealed record MirrorLogin(string User, string Password)
{
    public BasicCredentials Credentials => new(User, Password);

    /// <summary>
    /// docker's stored login for <paramref name="mirror"/>'s host and port, if it has one, from
    /// <paramref name="directory"/> (by default <c>$DOCKER_CONFIG</c>, else <c>~/.docker</c>).
    /// </summary>
    public static MirrorLogin? FromDockerConfig(Uri mirror, string? directory = null)
    {
        directory ??= Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        var file = Path.Combine(directory, "config.json");
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (!document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (AuthorityOf(entry.Name).Equals(mirror.Authority, StringComparison.OrdinalIgnoreCase) && FromEntry(entry.Value) is { } login)
                {
                    return login;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException)
        {
            // Not a file docker wrote: no stored login.
        }

        return null;
    }

    /// <summary>docker's keys are <c>host:port</c>, or a URL with it (<c>https://host:port/v1/</c>).</summary>
    private static string AuthorityOf(string key) =>
        Uri.TryCreate(key, UriKind.Absolute, out var url) && url.Host.Length > 0 ? url.Authority : key.TrimEnd('/');

    private static MirrorLogin? FromEntry(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded
            && Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2) is [var user, var password])
        {
            return new MirrorLogin(user, password);
        }

        return entry.TryGetProperty("username", out var name) && name.GetString() is { Length: > 0 } username
            && entry.TryGetProperty("password", out var secret) && secret.GetString() is { } pass
            ? new MirrorLogin(username, pass)
            : null;
    }
}
