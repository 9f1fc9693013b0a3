using System.Net;
using System.Net.Http.Headers;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Authenticates every request the mirror makes to one upstream, as its <see cref="UpstreamAuthenticator"/>
/// says: sends what the request's scope needs (fetching a token first once the registry's challenge is known),
/// and on a 401 answers the challenge once and retries (<see cref="ChallengeHandler"/>). A token realm that
/// cannot be asked makes the answer a 503, as an upstream that cannot be asked would be; one whose answer is
/// over <c>mirror.limits.tokenbytes</c> makes it a 502 naming that key (<see cref="LimitExceeded"/>). Requests
/// to the token realm itself pass untouched (<see cref="Unauthenticated"/>).
/// </summary>
internal sealed class UpstreamAuthHandler(MirroredRegistry registry) : ChallengeHandler
{
    /// <summary>Marks a request this handler leaves alone: token and challenge requests, and a client's own credentials.</summary>
    public static readonly HttpRequestOptionsKey<bool> Unauthenticated = new("mirror.unauthenticated");

    /// <summary>Set on a request answered with a 502 of the mirror's own because a bound was passed: which one, for the mirror's own fetches.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamError> LimitExceeded = new("mirror.limitexceeded");

    protected override bool Passes(HttpRequestMessage request) => request.Options.TryGetValue(Unauthenticated, out var skip) && skip;

    protected override async Task<HttpResponseMessage?> AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var answer = await registry.Authenticator.AuthorizeAsync(request, RegistryScope.PullFor(request.RequestUri), cancellationToken);
        return Instead(request, answer);
    }

    protected override async Task<HttpResponseMessage?> AnswerAsync(HttpRequestMessage request, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        var answer = await registry.Authenticator.AnswerAsync(challenge, RegistryScope.PullFor(request.RequestUri), cancellationToken);
        if (answer.Authorization is { } authorization)
        {
            request.Headers.Authorization = authorization;
        }

        return Instead(request, answer);
    }

    /// <summary>The mirror's own answer when the realm could not be asked or went over a bound; <c>null</c> otherwise.</summary>
    private static HttpResponseMessage? Instead(HttpRequestMessage request, ChallengeAnswer answer) => answer switch
    {
        { Unreachable: { } problem } => new(HttpStatusCode.ServiceUnavailable) { RequestMessage = request, ReasonPhrase = problem },
        { Limit: { } limit } => OverLimit(request, limit),
        _ => null,
    };

    /// <summary>A 502 with the OCI error naming the bound: forwarded to clients as it is, and read by the mirror's own fetches from the request.</summary>
    private static HttpResponseMessage OverLimit(HttpRequestMessage request, UpstreamError limit)
    {
        request.Options.Set(LimitExceeded, limit);
        return new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(OciError.OverLimit(limit.Message!).ToJson()) { Headers = { ContentType = new MediaTypeHeaderValue(MediaTypes.Json) } },
        };
    }
}
