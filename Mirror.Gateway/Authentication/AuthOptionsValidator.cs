using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Authentication;

/// <summary>Checks at start what the auth mode's files hold: an htpasswd file that parses, signing keys that load.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        switch (options.Mode)
        {
            case AuthMode.Htpasswd:
                return HtpasswdFile.TryParse(File.ReadAllText(options.HtpasswdPath!), out var error) is null
                    ? ValidateOptionsResult.Fail($"{ConfigurationKeys.HtpasswdPath}: {options.HtpasswdPath}: {error}")
                    : ValidateOptionsResult.Success;
            case AuthMode.Token:
                try
                {
                    _ = new TokenSigningKeys(Options.Create(options));
                    return ValidateOptionsResult.Success;
                }
                catch (Exception ex) when (ex is InvalidDataException or CryptographicException or ArgumentException or IOException or System.Text.Json.JsonException)
                {
                    var key = ex.Message.StartsWith("auth.", StringComparison.Ordinal) ? string.Empty : $"{(options.Jwks is null ? ConfigurationKeys.TokenRootCertBundle : ConfigurationKeys.TokenRootCertBundle + " or " + ConfigurationKeys.TokenJwks)}: ";
                    return ValidateOptionsResult.Fail($"{key}{ex.Message}");
                }

            default:
                return ValidateOptionsResult.Success;
        }
    }
}
