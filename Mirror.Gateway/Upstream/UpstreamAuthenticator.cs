using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Concurrency;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The mirror's side of the upstream's authentication ("Docker registry token authentication"): answers
/// Bearer challenges with a token fetched from the realm for the request's scope, anonymously or with the
/// configured credentials, and Basic challenges with the credentials. Tokens are cached per scope until
/// shortly before they expire, and concurrent fetches for one scope share one request.
/// </summary>
internal sealed class UpstreamAuthenticator : IDisposable
{
    public const string TokenClient = "upstream-token";

    /// <summary>Tokens are dropped this long before they expire, so none expires on its way to the upstream.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    /// <summary>How long the upstream's challenge, once asked for, is taken as known.</summary>
    private static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The token lifetime when the realm does not say (the token spec's default).</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, UpstreamToken> _tokens = [];
    private readonly Lock _gate = new();
    private readonly SingleFlight<string, ChallengeAnswer> _fetches = new();
    private readonly IHttpClientFactory _clients;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<UpstreamAuthenticator> _logger;
    private volatile bool _basicChallenged;
    private (AuthChallenge? Challenge, DateTimeOffset At)? _discovered;

    public UpstreamAuthenticator(IHttpClientFactory clients, IOptions<UpstreamOptions> options, TimeProvider time, GatewayMetrics metrics, ILogger<UpstreamAuthenticator> logger)
    {
        _metrics = metrics;
        _clients = clients;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Sets the credentials the mirror already knows for <paramref name="scope"/>, saving a challenge round trip.</summary>
    public void AuthorizeFromCache(HttpRequestMessage request, string? scope)
    {
        if (scope is not null && TryGetToken(scope) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Value);
        }
        else if (_basicChallenged && _options.HasCredentials)
        {
            request.Headers.Authorization = BasicCredentials();
        }
    }

    /// <summary>
    /// Answers <paramref name="challenge"/>: Basic with the configured credentials; Bearer with a token from
    /// the realm for the scope (one fetch per scope at a time, cached until shortly before it expires).
    /// </summary>
    public async Task<ChallengeAnswer> AnswerAsync(AuthChallenge challenge, string? requestScope, CancellationToken cancellationToken)
    {
        if (!challenge.IsBearer)
        {
            _basicChallenged = true;
            return _options.HasCredentials ? ChallengeAnswer.With(BasicCredentials()) : ChallengeAnswer.None;
        }

        var scope = challenge.Scope ?? requestScope;
        var flightKey = $"{challenge.Realm}|{challenge.Service}|{scope}";
        return await _fetches.RunAsync(flightKey, ct => FetchTokenAsync(challenge, scope, ct), out _).WaitAsync(cancellationToken);
    }

    /// <summary>The scope a registry request needs: pull on its repository.</summary>
    public static string? ScopeFor(Uri? requestUri)
    {
        var path = requestUri?.AbsolutePath;
        var v2 = path?.IndexOf("/v2/", StringComparison.Ordinal) ?? -1;
        if (v2 < 0)
        {
            return null;
        }

        var parsed = RegistryPath.Parse(path![v2..]);
        return parsed.Name.Length == 0 ? null : $"repository:{parsed.Name}:pull";
    }

    public void Dispose() => _fetches.Dispose();

    private UpstreamToken? TryGetToken(string scope)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(scope, out var token) && token.ExpiresAt > _time.GetUtcNow() ? token : null;
        }
    }

    /// <summary>
    /// Gets a token for <paramref name="scope"/> with the configured credentials (when the realm may have
    /// them), caches it, and answers with it; or says that the realm refused, or could not be asked.
    /// </summary>
    private async Task<ChallengeAnswer> FetchTokenAsync(AuthChallenge challenge, string? scope, CancellationToken cancellationToken)
    {
        var realm = challenge.Realm!;
        var withCredentials = _options.HasCredentials && CredentialPolicy.AllowsCredentials(realm, _options.RemoteUrl);
        if (_options.HasCredentials && !withCredentials)
        {
            GatewayLog.RealmRefusedCredentials(_logger, realm.GetLeftPart(UriPartial.Authority), _options.RemoteUrl.Host);
        }

        var answer = await RequestTokenAsync(challenge, scope, withCredentials ? BasicCredentials() : null, cancellationToken);
        _metrics.TokenFetch(succeeded: answer.Status == TokenStatus.Granted);
        switch (answer.Status)
        {
            case TokenStatus.Granted:
                var token = new UpstreamToken(answer.Token!, _time.GetUtcNow() + answer.Lifetime - ExpiryMargin);
                lock (_gate)
                {
                    _tokens[scope ?? string.Empty] = token;
                }

                return ChallengeAnswer.With(new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Value));
            case TokenStatus.Refused:
                GatewayLog.TokenRefused(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.HttpStatus);
                return ChallengeAnswer.None;
            default:
                // The realm could not be asked: the upstream is as good as down (a refusal, above, is an answer).
                GatewayLog.TokenFetchFailed(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.Problem!);
                return ChallengeAnswer.RealmDown($"the token realm {realm.GetLeftPart(UriPartial.Authority)} could not be reached: {answer.Problem}");
        }
    }

    /// <summary>
    /// Asks <paramref name="challenge"/>'s realm for a token for <paramref name="scope"/> with
    /// <paramref name="credentials"/> (anonymously when <c>null</c>): granted with the token, refused (4xx, or
    /// no token in the answer), or unreachable (no answer, 5xx). The caller decides whether credentials may
    /// go to that realm.
    /// </summary>
    public async Task<TokenAnswer> RequestTokenAsync(AuthChallenge challenge, string? scope, AuthenticationHeaderValue? credentials, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (challenge.Service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(challenge.Service));
        }

        if (scope is not null)
        {
            query.Add("scope=" + Uri.EscapeDataString(scope));
        }

        var realm = challenge.Realm!;
        var separator = string.IsNullOrEmpty(realm.Query) ? "?" : "&";
        using var request = new HttpRequestMessage(HttpMethod.Get, realm + (query.Count == 0 ? string.Empty : separator + string.Join('&', query)));
        request.Headers.Authorization = credentials;
        try
        {
            using var response = await _clients.CreateClient(TokenClient).SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                // Down, or asking to slow down: no answer about the credentials either way.
                return TokenAnswer.Unreachable($"the token realm answered {status}");
            }

            if (!response.IsSuccessStatusCode)
            {
                return TokenAnswer.Refused(status);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var root = json.RootElement;
            var value = root.TryGetProperty("token", out var t) && t.GetString() is { Length: > 0 } tokenText ? tokenText
                : root.TryGetProperty("access_token", out var a) ? a.GetString() : null;
            if (string.IsNullOrEmpty(value))
            {
                return TokenAnswer.Refused(status);
            }

            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : DefaultLifetime;
            return TokenAnswer.Granted(value, lifetime);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return TokenAnswer.Unreachable(ex.Message);
        }
    }

    /// <summary>
    /// The upstream's challenge, from an anonymous <c>GET /v2/</c>; <c>null</c> when it asks none there (an
    /// open registry, or one that protects repositories only). Remembered for <see cref="DiscoveryLifetime"/>.
    /// Throws <see cref="HttpRequestException"/> when the upstream cannot be asked.
    /// </summary>
    public async Task<AuthChallenge?> DiscoverChallengeAsync(CancellationToken cancellationToken)
    {
        if (_discovered is { } known && known.At + DiscoveryLifetime > _time.GetUtcNow())
        {
            return known.Challenge;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.RemoteUrl, "v2/"));
        using var response = await _clients.CreateClient(TokenClient).SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            throw new HttpRequestException($"the upstream answered {(int)response.StatusCode} to GET /v2/");
        }

        var challenge = response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? AuthChallenge.Select(response.Headers.WwwAuthenticate) : null;
        _discovered = (challenge, _time.GetUtcNow());
        return challenge;
    }

    private AuthenticationHeaderValue BasicCredentials() =>
        new(AuthChallenge.Basic, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}")));
}
