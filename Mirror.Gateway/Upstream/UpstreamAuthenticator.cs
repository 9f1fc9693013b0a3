using System.Net.Http.Headers;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The mirror's side of the upstream's authentication ("Docker registry token authentication"): answers
/// Bearer challenges with a token fetched from the realm for the request's scope, anonymously or with the
/// configured credentials, and Basic challenges with the credentials. Tokens are kept per scope until
/// shortly before they expire (<see cref="UpstreamTokens"/>), and concurrent fetches for one scope share one
/// request. Once a registry's Bearer challenge is known, a new scope's token is fetched before its first
/// request, as docker clients do, rather than after a refusal. One per upstream: credentials, challenge and
/// tokens are that registry's.
/// </summary>
internal sealed class UpstreamAuthenticator : IDisposable
{
    /// <summary>How long the upstream's challenge, once asked for, is taken as known.</summary>
    private static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromMinutes(5);

    private readonly SingleFlight<string, ChallengeAnswer> _fetches = new();
    private readonly MirroredRegistry _registry;
    private readonly UpstreamOptions _options;
    private readonly UpstreamTokens _tokens;
    private readonly TokenRealm _realm;
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
        _tokens = new UpstreamTokens(time);
        _realm = new TokenRealm((request, ct) => registry.SendAsync(request, authenticate: false, ct), _options.Limits.TokenBytes, _options.Timeouts.FirstByte + _options.Timeouts.Idle);
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Sets the credentials <paramref name="scope"/> needs before the request goes out: a kept token, a
    /// token fetched now when the registry's Bearer challenge is already known, or Basic credentials once
    /// the registry asked for them. Answers why not when the token realm cannot be asked.
    /// </summary>
    public async Task<ChallengeAnswer> AuthorizeAsync(HttpRequestMessage request, string? scope, CancellationToken cancellationToken)
    {
        if (scope is not null && _tokens.TryGet(scope) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Value);
            return ChallengeAnswer.None;
        }

        if (scope is not null && _bearer is { } challenge && !_tokens.WasRefused(scope))
        {
            var answer = await AnswerAsync(challenge, scope, cancellationToken);
            request.Headers.Authorization = answer.Authorization;
            return answer;
        }

        if (_basicChallenged && _options.HasCredentials)
        {
            request.Headers.Authorization = Credentials();
        }

        return ChallengeAnswer.None;
    }

    /// <summary>
    /// Answers <paramref name="challenge"/>: Basic with the configured credentials; Bearer with a token from
    /// the realm for the scope (one fetch per scope at a time, kept until shortly before it expires).
    /// </summary>
    public async Task<ChallengeAnswer> AnswerAsync(AuthChallenge challenge, string? requestScope, CancellationToken cancellationToken)
    {
        if (!challenge.IsBearer)
        {
            _basicChallenged = true;
            return _options.HasCredentials ? ChallengeAnswer.With(Credentials()) : ChallengeAnswer.None;
        }

        // The realm and service are the registry's; the scope is each request's own.
        _bearer = challenge with { Scope = null };
        var scope = challenge.Scope ?? requestScope;
        if (_tokens.WasRefused(scope ?? string.Empty))
        {
            return ChallengeAnswer.None;
        }

        var flightKey = $"{challenge.Realm}|{challenge.Service}|{scope}";
        return await _fetches.RunAsync(flightKey, ct => FetchTokenAsync(challenge, scope, ct), out _).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Asks <paramref name="challenge"/>'s realm for a token for <paramref name="scope"/> with
    /// <paramref name="credentials"/> (anonymously when <c>null</c>), through this upstream's pipeline and
    /// within its timeouts; an answer over <c>mirror.limits.tokenbytes</c> names that key. The caller decides
    /// whether credentials may go to that realm.
    /// </summary>
    public async Task<TokenAnswer> RequestTokenAsync(AuthChallenge challenge, string? scope, AuthenticationHeaderValue? credentials, CancellationToken cancellationToken)
    {
        var answer = await _realm.RequestAsync(challenge, scope, credentials, cancellationToken);
        return answer.Status == TokenStatus.OverLimit
            ? TokenAnswer.OverLimit(_options.Limits.TokenTooLarge(challenge.Realm!.GetLeftPart(UriPartial.Authority)))
            : answer;
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

    public void Dispose() => _fetches.Dispose();

    /// <summary>
    /// Gets a token for <paramref name="scope"/> with the configured credentials (when the realm may have
    /// them), keeps it, and answers with it; or says that the realm refused, or could not be asked.
    /// </summary>
    private async Task<ChallengeAnswer> FetchTokenAsync(AuthChallenge challenge, string? scope, CancellationToken cancellationToken)
    {
        var realm = challenge.Realm!;
        var withCredentials = _options.HasCredentials && CredentialPolicy.AllowsCredentials(realm, _options.RemoteUrl);
        if (_options.HasCredentials && !withCredentials)
        {
            UpstreamLog.RealmRefusedCredentials(_logger, realm.GetLeftPart(UriPartial.Authority), _options.RemoteUrl.Host);
        }

        var answer = await RequestTokenAsync(challenge, scope, withCredentials ? Credentials() : null, cancellationToken);
        _metrics.TokenFetch(_registry.Host, succeeded: answer.Status == TokenStatus.Granted);
        return AnswerOf(answer, realm, scope);
    }

    /// <summary>What a realm's answer makes of the challenge: the token, kept; a refusal, remembered; or why there is no answer.</summary>
    private ChallengeAnswer AnswerOf(TokenAnswer answer, Uri realm, string? scope)
    {
        switch (answer.Status)
        {
            case TokenStatus.Granted:
                var token = _tokens.Keep(scope ?? string.Empty, answer.Token!, answer.Lifetime);
                return ChallengeAnswer.With(new AuthenticationHeaderValue(AuthChallenge.Bearer, token.Value));
            case TokenStatus.Refused:
                _tokens.Refuse(scope ?? string.Empty);
                UpstreamLog.TokenRefused(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.HttpStatus);
                return ChallengeAnswer.None;
            case TokenStatus.OverLimit:
                UpstreamLog.TokenFetchFailed(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.Problem!);
                return ChallengeAnswer.OverLimit(answer.Limit!);
            default:
                // The realm could not be asked: the upstream is as good as down (a refusal, above, is an answer).
                UpstreamLog.TokenFetchFailed(_logger, realm.GetLeftPart(UriPartial.Path), scope, answer.Problem!);
                return ChallengeAnswer.RealmDown($"the token realm {realm.GetLeftPart(UriPartial.Authority)} could not be reached: {answer.Problem}");
        }
    }

    private AuthenticationHeaderValue Credentials() => new BasicCredentials(_options.Username!, _options.Password ?? string.Empty).ToHeader();
}
