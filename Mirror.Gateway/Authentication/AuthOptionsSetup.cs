using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Authentication;

/// <summary>Reads the <c>auth</c> section: exactly one mode, with everything that mode needs, or the start stops.</summary>
internal sealed class AuthOptionsSetup(ConfigurationReader read) : IConfigureOptions<AuthOptions>
{
    private const int MinSecretLength = 32;

    private static readonly string[] Modes = ["htpasswd", "token", "upstream"];

    private static readonly string[] DefaultAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public void Configure(AuthOptions options)
    {
        var modes = Modes.Where(mode => read.Has($"auth.{mode}")).ToList();
        if (modes.Count > 1 || (modes.Count == 1 && read.Has(ConfigurationKeys.AuthNone)))
        {
            throw ConfigurationReader.Invalid<AuthOptions>("auth", $"give exactly one of htpasswd, token, upstream or none (found {string.Join(", ", read.Has(ConfigurationKeys.AuthNone) ? [.. modes, "none"] : modes)})");
        }

        switch (modes.SingleOrDefault())
        {
            case "htpasswd":
                options.Mode = AuthMode.Htpasswd;
                options.Realm = Required(ConfigurationKeys.HtpasswdRealm);
                options.HtpasswdPath = read.File<AuthOptions>(ConfigurationKeys.HtpasswdPath) ?? throw Missing(ConfigurationKeys.HtpasswdPath);
                break;
            case "token":
                Token(options);
                break;
            case "upstream":
                Upstream(options);
                break;
        }
    }

    /// <summary><c>auth.token</c>: a token service's realm, service and issuer, and the keys its tokens are checked with.</summary>
    private void Token(AuthOptions options)
    {
        options.Mode = AuthMode.Token;
        var realm = Required(ConfigurationKeys.TokenRealm);
        options.Realm = DistributionConfiguration.TryParseRemoteUrl(realm)?.ToString()
            ?? throw ConfigurationReader.Invalid<AuthOptions>(ConfigurationKeys.TokenRealm, realm, "is not an absolute http:// or https:// URL");
        options.Service = Required(ConfigurationKeys.TokenService);
        options.Issuer = Required(ConfigurationKeys.TokenIssuer);
        options.RootCertBundle = read.File<AuthOptions>(ConfigurationKeys.TokenRootCertBundle);
        options.Jwks = read.File<AuthOptions>(ConfigurationKeys.TokenJwks);
        if (options.RootCertBundle is null && options.Jwks is null)
        {
            throw Missing($"{ConfigurationKeys.TokenRootCertBundle} or {ConfigurationKeys.TokenJwks}");
        }

        var algorithms = read.List(ConfigurationKeys.TokenSigningAlgorithms);
        options.SigningAlgorithms = algorithms.Count == 0 ? DefaultAlgorithms
            : algorithms.Select(a => DefaultAlgorithms.Contains(a, StringComparer.Ordinal) ? a
                : throw ConfigurationReader.Invalid<AuthOptions>(ConfigurationKeys.TokenSigningAlgorithms, a, $"is not one of {string.Join(", ", DefaultAlgorithms)}")).ToList();
    }

    /// <summary><c>auth.upstream</c>: the mirror's own token service, and <c>http.secret</c>, the key it signs with.</summary>
    private void Upstream(AuthOptions options)
    {
        options.Mode = AuthMode.Upstream;
        if (read.Value(ConfigurationKeys.UpstreamAuthRealm) is { } url)
        {
            options.Realm = DistributionConfiguration.TryParseRemoteUrl(url)?.ToString()
                ?? throw ConfigurationReader.Invalid<AuthOptions>(ConfigurationKeys.UpstreamAuthRealm, url, "is not an absolute http:// or https:// URL");
        }

        options.Service = read.Value(ConfigurationKeys.UpstreamAuthService) ?? "mirror";
        options.UpstreamTtl = read.Duration<AuthOptions>(ConfigurationKeys.UpstreamAuthTtl, allowZero: false) ?? options.UpstreamTtl;
        if (read.Value(ConfigurationKeys.HttpSecret) is { } secret)
        {
            // Anyone can have a token signed with this key, so a guessable secret would let them forge
            // others: a long one, stretched (PBKDF2) so guesses cost.
            options.TokenKey = secret.Length >= MinSecretLength
                ? System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(secret, System.Text.Encoding.UTF8.GetBytes("mirror auth.upstream tokens"), 100_000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32)
                : throw ConfigurationReader.Invalid<AuthOptions>(ConfigurationKeys.HttpSecret, $"is {secret.Length} characters; auth.upstream signs tokens anyone can obtain with it, so give it at least {MinSecretLength} (openssl rand -base64 32)");
        }
    }

    private string Required(string key) => read.Value(key) ?? throw Missing(key);

    private static OptionsValidationException Missing(string key) => ConfigurationReader.Invalid<AuthOptions>(key, "is needed");
}
