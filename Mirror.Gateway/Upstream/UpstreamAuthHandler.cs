using System.Net;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Authenticates every request the mirror makes to one upstream: sends what the request's scope needs
/// (fetching a token first once the registry's challenge is known), and on a 401 answers the challenge once and retries. Only body-less requests pass through here
/// (the mirror is read-only), so a retry can resend the request. A token realm that cannot be asked makes
/// the answer a 503, as an upstream that cannot be asked would be. Requests to the token realm itself pass
/// untouched (<see cref="Unauthenticated"/>).
/// </summary>
internal sealed class UpstreamAuthHandler(MirroredRegistry registry) : DelegatingHandler
{
    /// <summary>Marks a request this handler leaves alone: token and challenge requests, and a client's own credentials.</summary>
    public static readonly HttpRequestOptionsKey<bool> Unauthenticated = new("mirror.unauthenticated");

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
}
