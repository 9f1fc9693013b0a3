using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// Answers the mirror's challenges as docker does (distribution's token authentication, through
/// <see cref="ChallengeHandler"/>): a request answered 401 with <c>Basic</c> is sent again with the login,
/// and from then on every request carries it; with <c>Bearer realm=...,service=...,scope=...</c> a token for
/// that scope is asked of the realm (with the login as Basic credentials, or anonymously), kept per
/// repository, and the request sent again with it. A challenge that cannot be answered leaves the 401 for
/// the caller to report, with <see cref="LastProblem"/>.
/// </summary>
internal sealed class MirrorAuthentication : ChallengeHandler
{
    /// <summary>A token answer is a few KiB; a realm sending more is broken.</summary>
    private const long MaxTokenBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly MirrorLogin? _login;
    private readonly TokenRealm _realm;
    private volatile bool _basic;

    public MirrorAuthentication(MirrorLogin? login)
    {
        _login = login;
        _realm = new TokenRealm(SendPastAsync, MaxTokenBytes, Timeout.InfiniteTimeSpan);
    }

    /// <summary>What the last refusal said, for the caller's error message.</summary>
    public string? LastProblem { get; private set; }

    protected override Task<HttpResponseMessage?> AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_tokens.TryGetValue(RepositoryOf(request.RequestUri!), out var token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Bearer, token);
        }
        else if (_basic && _login is not null)
        {
            request.Headers.Authorization = _login.Credentials.ToHeader();
        }

        return Task.FromResult<HttpResponseMessage?>(null);
    }

    protected override async Task<HttpResponseMessage?> AnswerAsync(HttpRequestMessage request, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        if (challenge.IsBearer)
        {
            var repository = RepositoryOf(request.RequestUri!);
            _tokens.TryRemove(repository, out _);
            if (await TokenAsync(challenge, repository, cancellationToken) is { } token)
            {
                _tokens[repository] = token;
                request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Bearer, token);
            }
        }
        else if (_login is null)
        {
            LastProblem = "the mirror asks for a login (Basic): give --username and --password, or 'docker login' to it";
        }
        else
        {
            _basic = true;
            request.Headers.Authorization = _login.Credentials.ToHeader();
        }

        return null;
    }

    /// <summary>A token from the challenge's realm for its scope (the login as Basic credentials, if any); <c>null</c> when refused.</summary>
    private async Task<string?> TokenAsync(AuthChallenge challenge, string repository, CancellationToken cancellationToken)
    {
        var answer = await _realm.RequestAsync(challenge, challenge.Scope, _login?.Credentials.ToHeader(), cancellationToken);
        var realm = $"the mirror's token realm {challenge.Realm}";
        LastProblem = answer switch
        {
            { Status: TokenStatus.Granted } => LastProblem,
            { Status: TokenStatus.Refused, HttpStatus: >= 200 and < 300 } => $"{realm} answered without a token",
            { Status: TokenStatus.Refused } => $"{realm} refused a token for {challenge.Scope ?? repository} ({answer.HttpStatus})"
                + (_login is null ? "; give --username and --password, or 'docker login' to the mirror" : string.Empty),
            _ => $"{realm} could not be asked for a token for {challenge.Scope ?? repository}: {answer.Problem}",
        };
        return answer.Token;
    }

    /// <summary>The repository a request is for (its path before <c>/manifests/</c> or <c>/blobs/</c>, and its <c>ns</c>): tokens are kept per repository.</summary>
    private static string RepositoryOf(Uri uri)
    {
        var path = uri.AbsolutePath;
        foreach (var marker in new[] { "/manifests/", "/blobs/" })
        {
            if (path.LastIndexOf(marker, StringComparison.Ordinal) is var at and > 0)
            {
                return path[..at] + uri.Query;
            }
        }

        return path + uri.Query;
    }
}
