namespace Mirror.Gateway.Authentication;

/// <summary>Client authentication (the <c>auth</c> section); <see cref="AuthMode.None"/> unless one mode is configured.</summary>
internal sealed class AuthOptions
{
    public AuthMode Mode { get; set; }

    /// <summary>
    /// The realm clients are challenged with: a name for Basic challenges (<c>auth.htpasswd.realm</c>,
    /// <c>auth.upstream.realm</c>, default <c>mirror</c>), the token service's URL for Bearer ones (<c>auth.token.realm</c>).
    /// </summary>
    public string Realm { get; set; } = "mirror";

    /// <summary>The htpasswd file (<c>auth.htpasswd.path</c>), re-read when it changes.</summary>
    public string? HtpasswdPath { get; set; }

    /// <summary>The token service's name, which tokens must name as their audience (<c>auth.token.service</c>).</summary>
    public string? Service { get; set; }

    /// <summary>Who must have issued tokens (<c>auth.token.issuer</c>).</summary>
    public string? Issuer { get; set; }

    /// <summary>PEM certificates whose keys (or chains) sign tokens (<c>auth.token.rootcertbundle</c>).</summary>
    public string? RootCertBundle { get; set; }

    /// <summary>A JSON Web Key Set file of signing keys, matched by <c>kid</c> (<c>auth.token.jwks</c>).</summary>
    public string? Jwks { get; set; }

    /// <summary>The JWS algorithms accepted (<c>auth.token.signingalgorithms</c>); default RS, PS and ES with SHA-256, 384 and 512.</summary>
    public IReadOnlyList<string> SigningAlgorithms { get; set; } = [];

    /// <summary>How long the upstream's answer about a client and a repository is remembered (<c>auth.upstream.ttl</c>); default 5 minutes.</summary>
    public TimeSpan UpstreamTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a verified password is remembered, so a pull of many layers costs one bcrypt run.</summary>
    public TimeSpan CredentialTtl { get; set; } = TimeSpan.FromMinutes(5);
}
