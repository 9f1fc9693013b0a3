using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Mirror.Tests.Support;

/// <summary>
/// A token service's signing key and certificate, made at test start, issuing registry tokens as
/// distribution's token protocol has them (RS256 or ES256; the key named by <c>x5c</c>, by <c>kid</c>, or not at all).
/// </summary>
internal sealed class TestTokens : IDisposable
{
    public const string Issuer = "test-token-issuer";
    public const string Service = "mirror.test";

    private readonly AsymmetricAlgorithm _key;

    private TestTokens(AsymmetricAlgorithm key, X509Certificate2 certificate, string algorithm)
    {
        _key = key;
        Certificate = certificate;
        Algorithm = algorithm;
    }

    public X509Certificate2 Certificate { get; }

    public string Algorithm { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public static TestTokens Rsa(string subject = "CN=test token signer")
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new TestTokens(key, request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)), "RS256");
    }

    public static TestTokens EcDsa()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test ec token signer", key, HashAlgorithmName.SHA256);
        return new TestTokens(key, request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)), "ES256");
    }

    /// <summary>A token for <paramref name="access"/> (<c>repository:name:action,action</c> entries) with the given claims overridden.</summary>
    public string Issue(
        IEnumerable<string> access,
        string? issuer = Issuer,
        string? audience = Service,
        DateTimeOffset? expires = null,
        DateTimeOffset? notBefore = null,
        KeyNaming naming = KeyNaming.X5c,
        string? kid = null,
        string? algorithm = null)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = issuer,
            ["sub"] = "alice",
            ["aud"] = audience,
            ["exp"] = (expires ?? now.AddMinutes(5)).ToUnixTimeSeconds(),
            ["nbf"] = (notBefore ?? now.AddSeconds(-10)).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access.Select(entry => entry.Split(':')).Select(parts => new { type = parts[0], name = parts[1], actions = parts[2].Split(',') }).ToArray(),
        };
        var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = algorithm ?? Algorithm };
        switch (naming)
        {
            case KeyNaming.X5c:
                header["x5c"] = new[] { Convert.ToBase64String(Certificate.RawData) };
                break;
            case KeyNaming.Kid:
                header["kid"] = kid!;
                break;
        }

        return Sign(header, claims);
    }

    /// <summary>Signs any header and claims, for tokens no honest service would issue.</summary>
    public string Sign(object header, object claims)
    {
        var input = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var data = Encoding.ASCII.GetBytes(input);
        var signature = _key switch
        {
            RSA rsa => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.SignData(data, HashAlgorithmName.SHA256),
            _ => throw new InvalidOperationException(),
        };
        return input + "." + Base64Url(signature);
    }

    /// <summary>This key as a JSON Web Key Set with one key, named <paramref name="kid"/>.</summary>
    public string Jwks(string kid)
    {
        var rsa = (RSA)_key;
        var parameters = rsa.ExportParameters(false);
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid, use = "sig", alg = "RS256", n = Base64Url(parameters.Modulus!), e = Base64Url(parameters.Exponent!) } } });
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>How a token names the key that signed it.</summary>
    internal enum KeyNaming
    {
        X5c,
        Kid,
        None,
    }
}
