namespace Mirror.Gateway.Authentication;

/// <summary>The names of the authentication schemes: htpasswd's, and the bearer scheme both token modes use.</summary>
internal static class AuthSchemes
{
    public const string Htpasswd = "htpasswd";
    public const string Token = "token";
    public const string Upstream = "upstream";

    public static string? For(AuthMode mode) => mode switch
    {
        AuthMode.Htpasswd => Htpasswd,
        AuthMode.Token or AuthMode.Upstream => Token,
        _ => null,
    };
}
