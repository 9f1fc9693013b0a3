using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The mirror's side of the upstream's authentication ("Docker registry token authentication"): answers
/// Bearer challenges with a token fetched from the realm for the request's scope, anonymously or with the
/// configured credentials, and Basic challenges with the credentials. Tokens are cached per scope until
/// shortly before they expire, and concurrent fetches for one scope share one request. Once a registry's
/// Bearer challenge is known, a new scope's token is fetched before its first request, as docker clients do,
/// rather than after a refusal. One per upstream: credentials, challenge and tokens are that registry's.
/// </summary>
internal sealed class UpstreamAuthenticator : IDisposable
{
    /// <summary>Tokens are dropped this long before they expire, so none expires on its way to the upstream.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    /// <summary>How long the upstream's challenge, once asked for, is taken as known.</summary>
    private static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The token lifetime when the realm does not say (the token spec's default).</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    /// <summary>How long a realm's refusal of a scope is taken as its answer, so a denied repository costs no token request per pull.</summary>
    private static readonly TimeSpan RefusalLifetime = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, UpstreamToken> _tokens = [];
    private readonly Dictionary<string, DateTimeOffset> _refused = [];
    private readonly Lock _gate = new();
    private readonly SingleFlight<string, ChallengeAnswer> _fetches = new();
    private readonly MirroredRegistry _registry;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<UpstreamAuthenticator> _logger;
    private volatile bool _basicChallenged;
    private volatile AuthChallenge? _bearer;
    private (AuthChallenge? Challenge, DateTimeOffset At)? _discovered;

    public UpstreamAuthenticator(MirroredRegistry registry, TimeProvider time, GatewayMetrics metrics, ILogger<UpstreamAuthenticator> logger)
    {
        _registry = registry;
        _options = registry.Options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Sets the credentials <paramref name="scope"/> needs before the request goes out: a cached token, a
    /// token fetched now when the registry's Bearer challenge is already known, or Basic credentials once
    /// the registry asked for them. Answers why not when the token realm cannot be asked.
    /// </summary>
    public async Task<ChallengeAnswer> AuthorizeAsync(HttpRequestMessage request, string? scope, CancellationToken cancellationToken)
    {
        if (scope is not null && TryGetToken(scope) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Value);
            return ChallengeAnswer.None;
        }

        if (scope is not null && _bearer is { } challenge && !WasRefused(scope))
        {
            var answer = await AnswerAsync(challenge, scope, cancellationToken);
            request.Headers.Authorization = answer.Authorization;
            return answer;
        }

        if (_basicChallenged && _options.HasCredentials)
        {
            request.Headers.Authorization = BasicCredentials();
        }

        return ChallengeAnswer.None;
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

        // The realm and service are the registry's; the scope is each request's own.
        _bearer = challenge with { Scope = null };
        var scope = challenge.Scope ?? requestScope;
        if (WasRefused(scope ?? string.Empty))
        {
            return ChallengeAnswer.None;
        }

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

    /// <summary>Drops expired tokens and refusals once there are many; called holding the lock.</summary>
    private void Prune()
    {
        const int many = 4096;
        if (_tokens.Count + _refused.Count < many)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var (scope, _) in _tokens.Where(t => t.Value.ExpiresAt <= now).ToList())
        {
            _tokens.Remove(scope);
        }

        foreach (var (scope, _) in _refused.Where(r => r.Value <= now).ToList())
        {
            _refused.Remove(scope);
        }
    }

    private bool WasRefused(string scope)
    {
        lock (_gate)
        {
            return _refused.TryGetValue(scope, out var until) && until > _time.GetUtcNow();
        }
    }

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
        _metrics.TokenFetch(_registry.Host, succeeded: answer.Status == TokenStatus.Granted);
        switch (answer.Status)
        {
            case TokenStatus.Granted:
                var token = new UpstreamToken(answer.Token!, _time.GetUtcNow() + answer.Lifetime - ExpiryMargin);
                lock (_gate)
                {
                    Prune();
                    _tokens[scope ?? string.Empty] = token;
                }

                return ChallengeAnswer.With(new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Value));
            case TokenStatus.Refused:
                lock (_gate)
                {
                    Prune();
                    _refused[scope ?? string.Empty] = _time.GetUtcNow() + RefusalLifetime;
                }

                GatewayLog.TokenRefused(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.HttpStatus);
                return ChallengeAnswer.None;
            case TokenStatus.OverLimit:
                GatewayLog.TokenFetchFailed(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.Problem!);
                return ChallengeAnswer.OverLimit(answer.Limit!);
            default:
                // The realm could not be asked: the upstream is as good as down (a refusal, above, is an answer).
                GatewayLog.TokenFetchFailed(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.Problem!);
                return ChallengeAnswer.RealmDown($"the token realm {realm.GetLeftPart(UriPartial.Authority)} could not be reached: {answer.Problem}");
        }
    }

    /// <summary>
    /// Asks <paramref name="challenge"/>'s realm for a token for <paramref name="scope"/> with
    /// <paramref name="credentials"/> (anonymously when <c>null</c>): granted with the token, refused (4xx, or
    /// no token in the answer), unreachable (no answer, 5xx), or over <c>mirror.limits.tokenbytes</c>. The
    /// caller decides whether credentials may go to that realm.
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

        // A token is a few kilobytes: its whole answer, not only its headers, is bounded.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.Timeouts.FirstByte + _options.Timeouts.Idle);
        try
        {
            using var response = await _registry.SendAsync(request, authenticate: false, bounded.Token);
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

            if (await BoundedBody.ReadAsync(response.Content, _options.Limits.TokenBytes, bounded.Token) is not { } body)
            {
                return TokenAnswer.OverLimit(_options.Limits.TokenTooLarge(realm.GetLeftPart(UriPartial.Authority)));
            }

            using var json = JsonDocument.Parse(body);
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
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
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
        using var response = await _registry.SendAsync(request, authenticate: false, cancellationToken);
        if ((int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            throw new HttpRequestException($"the upstream answered {(int)response.StatusCode} to GET /v2/");
        }

        var challenge = response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? AuthChallenge.Select(response.Headers.WwwAuthenticate) : null;
        if (challenge is { IsBearer: true })
        {
            _bearer = challenge with { Scope = null };
        }

        _discovered = (challenge, _time.GetUtcNow());
        return challenge;
    }

    private AuthenticationHeaderValue BasicCredentials() =>
        new(AuthChallenge.Basic, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}")));
}
