using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A Docker token service ("Docker registry token authentication") of the suite's own, as auth.docker.io is
/// to Docker Hub: it issues RS256 JWTs carrying their signing certificate in <c>x5c</c>, made at start, which
/// the upstream registry trusts through <see cref="CertificatePem"/> (or naming it by its libtrust key ID in
/// <c>kid</c>, as docker_auth and GitLab do). Anonymous callers may pull every repository but
/// <c>private/*</c>; <see cref="AliceUser"/> may also pull <c>private/alice*</c>; <see cref="BobUser"/> what
/// anonymous callers may; <see cref="PullUser"/> may pull all; <see cref="AdminUser"/> may push.
/// </summary>
internal sealed class TokenService : IAsyncDisposable
{
    public const string Service = "registry.test";
    public const string Issuer = "mirror-test-issuer";
    public const string AdminUser = "admin";
    public const string AdminPassword = "admin-password";
    public const string PullUser = "mirror";
    public const string PullPassword = "mirror-password";
    public const string AliceUser = "alice";
    public const string AlicePassword = "alice-password-7f3c";
    public const string BobUser = "bob";
    public const string BobPassword = "bob-password-91aa";

    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<string> _log = new();

    private readonly string _issuer;
    private readonly string _service;
    private readonly bool _keyId;

    private TokenService(WebApplication app, RSA key, X509Certificate2 certificate, string issuer, string service, bool keyId)
    {
        _app = app;
        _key = key;
        _certificate = certificate;
        _issuer = issuer;
        _service = service;
        _keyId = keyId;
    }

    public Uri Realm { get; private set; } = null!;

    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>Each token request as <c>user scope</c> (user <c>-</c> when anonymous).</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>
    /// Starts a token service for <paramref name="service"/>, issuing as <paramref name="issuer"/>, naming its
    /// key by <c>kid</c> (its libtrust key ID) when <paramref name="keyId"/>, else by <c>x5c</c>.
    /// </summary>
    public static async Task<TokenService> StartAsync(string issuer = Issuer, string service = Service, bool keyId = false)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=mirror test token signer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var tokens = new TokenService(app, key, certificate, issuer, service, keyId);
        app.MapGet("/token", tokens.Issue);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        tokens.Realm = new Uri(address + "/token");
        return tokens;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }

    private IResult Issue(HttpContext context)
    {
        var user = Authenticate(context.Request.Headers.Authorization.ToString());
        if (user == "!")
        {
            return Results.Json(new { details = "incorrect username or password" }, statusCode: 401);
        }

        var scopes = context.Request.Query["scope"].SelectMany(s => (s ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        _log.Enqueue($"{user ?? "-"} {string.Join(' ', scopes)}");
        var access = scopes.Select(scope => scope.Split(':')).Where(parts => parts.Length == 3 && parts[0] == "repository")
            .Select(parts => new { type = "repository", name = parts[1], actions = Grant(user, parts[1], parts[2].Split(',')) })
            .Where(grant => grant.actions.Length > 0)
            .ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = Sign(new
        {
            iss = _issuer,
            sub = user ?? string.Empty,
            aud = _service,
            exp = now + 300,
            nbf = now - 10,
            iat = now,
            jti = Guid.NewGuid().ToString("N"),
            access,
        });
        return Results.Json(new { token, access_token = token, expires_in = 300, issued_at = DateTimeOffset.UtcNow.ToString("O") });
    }

    private static string[] Grant(string? user, string repository, string[] actions) => user switch
    {
        AdminUser => actions,
        PullUser => actions.Where(a => a == "pull").ToArray(),
        AliceUser when repository.StartsWith("private/alice", StringComparison.Ordinal) => actions.Where(a => a == "pull").ToArray(),
        _ when repository.StartsWith("private/", StringComparison.Ordinal) => [],
        _ => actions.Where(a => a == "pull").ToArray(),
    };

    /// <summary>The user of a Basic header: <c>null</c> when anonymous, <c>!</c> when the password is wrong.</summary>
    private static string? Authenticate(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
        return (pair[0], pair.ElementAtOrDefault(1)) switch
        {
            (AdminUser, AdminPassword) => AdminUser,
            (PullUser, PullPassword) => PullUser,
            (AliceUser, AlicePassword) => AliceUser,
            (BobUser, BobPassword) => BobUser,
            _ => "!",
        };
    }

    private string Sign(object claims)
    {
        object header = _keyId
            ? new { typ = "JWT", alg = "RS256", kid = Mirror.Gateway.Authentication.LibtrustKeyId.Of(_certificate) }
            : new { typ = "JWT", alg = "RS256", x5c = new[] { Convert.ToBase64String(_certificate.RawData) } };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
