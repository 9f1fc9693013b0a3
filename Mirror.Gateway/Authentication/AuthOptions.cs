namespace Mirror.Gateway.Authentication;

/// <summary>Client authentication (the <c>auth</c> section); <see cref="AuthMode.None"/> unless one mode is configured.</summary>
internal sealed class AuthOptions
{
    public AuthMode Mode { get; set; }

    /// <summary>
    /// The realm clients are challenged with: a name for Basic challenges (<c>auth.htpasswd.realm</c>), the
    /// token service's URL for Bearer ones (<c>auth.token.realm</c>; <c>auth.upstream.realm</c>, by default
    /// the mirror's own <c>/auth/token</c> at the scheme and host the client used).
    /// </summary>
    public string? Realm { get; set; }

    /// <summary>The htpasswd file (<c>auth.htpasswd.path</c>), re-read when it changes.</summary>
    public string? HtpasswdPath { get; set; }

    /// <summary>The token service's name, which tokens must name as their audience (<c>auth.token.service</c>, <c>auth.upstream.service</c>, default <c>mirror</c>).</summary>
    public string? Service { get; set; }

    /// <summary>
    /// The key the mirror signs its own tokens with in <c>auth.upstream</c> mode: from <c>http.secret</c>, as
    /// distribution signs its state with it (every node of a cluster needs the same), else made at start.
    /// </summary>
    public byte[] TokenKey { get; set; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    /// <summary>Who must have issued tokens (<c>auth.token.issuer</c>).</summary>
    public string? Issuer { get; set; }

    /// <summary>PEM certificates whose keys (or chains) sign tokens (<c>auth.token.rootcertbundle</c>).</summary>
    public string? RootCertBundle { get; set; }

    /// <summary>A JSON Web Key Set file of signing keys, matched by <c>kid</c> (<c>auth.token.jwks</c>).</summary>
    public string? Jwks { get; set; }

    /// <summary>The JWS algorithms accepted (<c>auth.token.signingalgorithms</c>); default RS, PS and ES with SHA-256, 384 and 512.</summary>
    public IReadOnlyList<string> SigningAlgorithms { get; set; } = [];

    /// <summary>
    /// How long the upstream's answer about a client and a repository is remembered, and the lifetime of the
    /// tokens that carry it (<c>auth.upstream.ttl</c>); default 5 minutes.
    /// </summary>
    public TimeSpan UpstreamTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a verified password is remembered, so a pull of many layers costs one bcrypt run.</summary>
    public TimeSpan CredentialTtl { get; set; } = TimeSpan.FromMinutes(5);
}
