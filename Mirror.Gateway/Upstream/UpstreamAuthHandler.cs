using System.Net;
using System.Net.Http.Headers;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Authenticates every request the mirror makes to one upstream: sends what the request's scope needs
/// (fetching a token first once the registry's challenge is known), and on a 401 answers the challenge once and retries. Only body-less requests pass through here
/// (the mirror is read-only), so a retry can resend the request. A token realm that cannot be asked makes
/// the answer a 503, as an upstream that cannot be asked would be; one whose answer is over
/// <c>mirror.limits.tokenbytes</c> makes it a 502 naming that key (<see cref="LimitExceeded"/>). Requests to the
/// token realm itself pass untouched (<see cref="Unauthenticated"/>).
/// </summary>
internal sealed class UpstreamAuthHandler(MirroredRegistry registry) : DelegatingHandler
{
    /// <summary>Marks a request this handler leaves alone: token and challenge requests, and a client's own credentials.</summary>
    public static readonly HttpRequestOptionsKey<bool> Unauthenticated = new("mirror.unauthenticated");

    /// <summary>Set on a request answered with a 502 of the mirror's own because a bound was passed: which one, for the mirror's own fetches.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamError> LimitExceeded = new("mirror.limitexceeded");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Unauthenticated, out var skip) && skip)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var authenticator = registry.Authenticator;
        var scope = UpstreamAuthenticator.ScopeFor(request.RequestUri);
        var first = await authenticator.AuthorizeAsync(request, scope, cancellationToken);
        if (first.Unreachable is { } down)
        {
            return RealmDown(request, down);
        }

        if (first.Limit is { } limit)
        {
            return OverLimit(request, limit);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }

        var challenge = AuthChallenge.Select(response.Headers.WwwAuthenticate);
        if (challenge is null)
        {
            return response;
        }

        var answer = await authenticator.AnswerAsync(challenge, scope, cancellationToken);
        if (answer.Unreachable is { } problem)
        {
            response.Dispose();
            return RealmDown(request, problem);
        }

        if (answer.Limit is { } over)
        {
            response.Dispose();
            return OverLimit(request, over);
        }

        if (answer.Authorization is null || answer.Authorization.Equals(request.Headers.Authorization))
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = answer.Authorization;
        return await base.SendAsync(request, cancellationToken);
    }

    private static HttpResponseMessage RealmDown(HttpRequestMessage request, string problem) =>
        new(HttpStatusCode.ServiceUnavailable) { RequestMessage = request, ReasonPhrase = problem };

    /// <summary>A 502 with the OCI error naming the bound: forwarded to clients as it is, and read by the mirror's own fetches from the request.</summary>
    private static HttpResponseMessage OverLimit(HttpRequestMessage request, UpstreamError limit)
    {
        request.Options.Set(LimitExceeded, limit);
        return new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(OciError.OverLimit(limit.Message!).ToJson()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
    }
}
