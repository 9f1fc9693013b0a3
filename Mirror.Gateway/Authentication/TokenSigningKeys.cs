using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Finds the key that must have signed a token, the ways distribution does (2.8 and 3), and no other:
/// an <c>x5c</c> header whose chain ends at a certificate of <c>auth.token.rootcertbundle</c> (the leaf's key
/// signs); else a <c>kid</c> naming a bundle certificate's key, by its libtrust key ID (distribution 2.8,
/// docker_auth, GitLab) or its RFC 7638 thumbprint (distribution 3); else a <c>kid</c> of a key in
/// <c>auth.token.jwks</c>. A token that names no key it can find is refused.
/// </summary>
internal sealed class TokenSigningKeys
{
    private const int MaxRememberedChains = 64;

    private readonly X509Certificate2Collection _roots = [];
    private readonly Dictionary<string, SecurityKey> _byKeyId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (SecurityKey Key, DateTime Until)> _chains = new(StringComparer.Ordinal);

    public TokenSigningKeys(IOptions<AuthOptions> options)
    {
        if (options.Value.RootCertBundle is { } bundle)
        {
            _roots.ImportFromPemFile(bundle);
            if (_roots.Count == 0)
            {
                throw new InvalidDataException($"auth.token.rootcertbundle: {bundle} holds no PEM certificate");
            }

            foreach (var certificate in _roots)
            {
                if (KeyOf(certificate) is not { } key)
                {
                    throw new InvalidDataException($"auth.token.rootcertbundle: {bundle}: {certificate.Subject} has neither an RSA nor an EC key");
                }

                _byKeyId[LibtrustKeyId.Of(certificate)] = key;
                _byKeyId[Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromSecurityKey(key).ComputeJwkThumbprint())] = key;
            }
        }

        if (options.Value.Jwks is { } jwks)
        {
            foreach (var key in new JsonWebKeySet(File.ReadAllText(jwks)).Keys)
            {
                if (string.IsNullOrEmpty(key.Kid))
                {
                    throw new InvalidDataException($"auth.token.jwks: {jwks} has a key without a kid, which no token could name");
                }

                _byKeyId[key.Kid] = key;
            }
        }
    }

    /// <summary>The <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/>: the one key the token may be signed with, or none.</summary>
    public IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters)
    {
        if (securityToken is JsonWebToken jwt && Certificates(jwt) is { Count: > 0 } x5c)
        {
            return FromChain(x5c) is { } leafKey ? [leafKey] : [];
        }

        return kid is not null && _byKeyId.TryGetValue(kid, out var key) ? [key] : [];
    }

    /// <summary>
    /// A certificate's RSA or EC public key as a key that can verify RS*, PS* and ES* signatures (an
    /// X509SecurityKey verifies RSA only); its RFC 7638 thumbprint is how distribution 3 names bundle keys.
    /// </summary>
    private static AsymmetricSecurityKey? KeyOf(X509Certificate2 certificate) =>
        certificate.GetRSAPublicKey() is { } rsa ? new RsaSecurityKey(rsa)
            : certificate.GetECDsaPublicKey() is { } ec ? new ECDsaSecurityKey(ec) : null;

    /// <summary>The <c>x5c</c> header: base64 DER certificates, the signer's first (RFC 7515 4.1.6).</summary>
    private static List<string>? Certificates(JsonWebToken jwt)
    {
        using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader));
        return header.RootElement.TryGetProperty("x5c", out var x5c) && x5c.ValueKind == JsonValueKind.Array
            ? x5c.EnumerateArray().Select(c => c.GetString() ?? string.Empty).ToList()
            : null;
    }

    /// <summary>
    /// The leaf's key when the chain ends at a bundle certificate. A chain that built is remembered until its
    /// first certificate expires; one that did not is built again next time (it may be valid by then).
    /// </summary>
    private SecurityKey? FromChain(List<string> x5c)
    {
        var id = string.Join(',', x5c);
        if (_chains.TryGetValue(id, out var known) && known.Until > DateTime.UtcNow)
        {
            return known.Key;
        }

        try
        {
            var certificates = x5c.Select(c => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c))).ToList();
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
            chain.ChainPolicy.ExtraStore.AddRange(certificates.Skip(1).ToArray());
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (_roots.Count == 0 || !chain.Build(certificates[0]) || KeyOf(certificates[0]) is not { } key)
            {
                return null;
            }

            if (_chains.Count >= MaxRememberedChains)
            {
                _chains.Clear();
            }

            _chains[id] = (key, chain.ChainElements.Select(e => e.Certificate.NotAfter.ToUniversalTime()).Min());
            return key;
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Not certificates: no key.
            return null;
        }
    }
}
