using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// <c>auth.upstream</c>: the mirror's own token service ("Docker registry token authentication"), at
/// <see cref="Path"/>, whose grants are the upstream's. A client asks it for a scope as it asks any
/// registry's realm, with its own upstream login or anonymously; the mirror asks the upstream's realm for
/// the same pull scope with the same credentials and grants exactly what the upstream granted, in a token
/// it signs itself and honours until it expires (<c>auth.upstream.ttl</c>). So a client gets a repository
/// only when the upstream would give it that repository, and anonymous clients get public images, with
/// docker, containerd and podman all following the Bearer challenge as they do for Docker Hub. A scope's
/// repository is asked of the registry its name selects (<c>ghcr.io/owner/app</c> of ghcr.io). A login is
/// the default upstream's (docker.io's), and goes to no other registry: another registry is asked what an
/// anonymous client may pull there.
/// </summary>
internal sealed class UpstreamTokenService(
    MirroredRegistries registries,
    VerifiedCredentials verdicts,
    FailedLogins failures,
    GatewayMetrics metrics,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<UpstreamTokenService> logger)
{
    public const string Path = "/auth/token";
    public const string Issuer = "mirror";

    private static readonly string[] PullOnly = ["pull"];

    private readonly JsonWebTokenHandler _tokens = new();

    public SymmetricSecurityKey SigningKey { get; } = new(options.Value.TokenKey);

    public async Task IssueAsync(HttpContext context)
    {
        var settings = options.Value;
        var cancellationToken = context.RequestAborted;
        string? header = context.Request.Headers.Authorization;
        var credentials = BasicCredentials.TryParse(header);
        try
        {
            var address = context.Connection.RemoteIpAddress;
            if ((!string.IsNullOrEmpty(header) && credentials is null) || (credentials is not null && !await AcceptsAsync(address, credentials, cancellationToken)))
            {
                AuthenticationLog.LoginFailed(logger, AuthSchemes.Upstream, address?.ToString() ?? "-");
                context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{settings.Service}\"";
                await OciError.Unauthorized("the upstream does not accept these credentials").WriteAsync(context);
                return;
            }

            var access = await GrantedAsync(context.Request.Query["scope"], credentials, cancellationToken);
            var now = time.GetUtcNow();
            var token = TokenFor(credentials, access, now);
            context.Response.ContentType = MediaTypes.Json;
            await context.Response.WriteAsJsonAsync(
                new TokenAnswer(token, token, (int)settings.UpstreamTtl.TotalSeconds, now.ToString("O")),
                TokenJson.Answer.TokenAnswer,
                cancellationToken: cancellationToken);
        }
        catch (UpstreamUnavailableException ex)
        {
            await OciError.FromUpstream(SourceStatus.Unavailable, OciErrorCode.Unauthorized, ex.Limit ?? UpstreamError.Because(ex.Message)).WriteAsync(context);
        }
    }

    /// <summary>The access to grant: each scope asked for that is a repository's pull the upstream grants these credentials.</summary>
    private async Task<List<GrantedAccess>> GrantedAsync(StringValues scopes, BasicCredentials? credentials, CancellationToken cancellationToken)
    {
        var access = new List<GrantedAccess>();
        foreach (var scope in scopes.SelectMany(s => (s ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            // type:name:actions, where a name may hold a colon (registry.example:5000/org/app), as distribution reads it.
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            if (first > 0 && last > first && scope[..first] == "repository" && scope[(first + 1)..last] is { Length: > 0 } name
                && scope[(last + 1)..].Split(',').Contains("pull") && await GrantsPullAsync(credentials, name, cancellationToken))
            {
                access.Add(new GrantedAccess("repository", name, PullOnly));
            }
        }

        return access;
    }

    /// <summary>The mirror's token for <paramref name="access"/>, signed with its key, for <c>auth.upstream.ttl</c>.</summary>
    private string TokenFor(BasicCredentials? credentials, List<GrantedAccess> access, DateTimeOffset now)
    {
        var settings = options.Value;
        return _tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = settings.Service,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + settings.UpstreamTtl).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = credentials?.User ?? string.Empty,
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["access"] = JsonSerializer.SerializeToElement(access, TokenJson.Default.ListGrantedAccess),
            },
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// Whether the upstream accepts the login; the verdict is remembered for <c>auth.upstream.ttl</c>, and a
    /// new one waits its turn, and a delay when its user name has failed too often from this address. Every
    /// name counts as known: the mirror cannot tell which names the upstream has, so none is forgotten early.
    /// </summary>
    private Task<bool> AcceptsAsync(System.Net.IPAddress? address, BasicCredentials credentials, CancellationToken cancellationToken) =>
        verdicts.CheckAsync(
            verdicts.KeyOf("login", credentials.User, credentials.Password),
            options.Value.UpstreamTtl,
            ct => failures.CheckAsync(
                address,
                credentials.User,
                known: true,
                async (_, c) =>
                {
                    var accepted = await new UpstreamAccessProbe(registries.Default).AcceptsLoginAsync(credentials, c);
                    metrics.CredentialChecked(AuthSchemes.Upstream, accepted);
                    return accepted;
                },
                ct),
            cancellationToken);

    /// <summary>
    /// Whether the registry <paramref name="name"/> selects lets these credentials (or none) pull the
    /// repository; remembered for <c>auth.upstream.ttl</c>.
    /// </summary>
    private async Task<bool> GrantsPullAsync(BasicCredentials? credentials, string name, CancellationToken cancellationToken)
    {
        var (registry, clientName) = registries.Resolve(name);
        if (RepositoryName.TryParse(clientName) is not { } repository)
        {
            return false;
        }

        // The client's password is for the registry that checked it; no other registry sees it.
        credentials = registry.IsDefault ? credentials : null;
        var upstreamName = registry.Names.ToUpstream(repository);
        return await verdicts.CheckAsync(
            verdicts.KeyOf("pull", credentials?.User ?? string.Empty, credentials?.Password ?? string.Empty, registry.Host, upstreamName.Value),
            options.Value.UpstreamTtl,
            ct => new UpstreamAccessProbe(registry).GrantsPullAsync(credentials, upstreamName, ct),
            cancellationToken);
    }
}
