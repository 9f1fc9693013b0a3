namespace Mirror.Gateway.Authentication;

/// <summary>The names of the authentication schemes, one per <see cref="AuthMode"/>.</summary>
internal static class AuthSchemes
{
    public const string Htpasswd = "htpasswd";
    public const string Token = "token";
    public const string Upstream = "upstream";

    public static string? For(AuthMode mode) => mode switch
    {
        AuthMode.Htpasswd => Htpasswd,
        AuthMode.Token => Token,
        AuthMode.Upstream => Upstream,
        _ => null,
    };
}
