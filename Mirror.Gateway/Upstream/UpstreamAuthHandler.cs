using System.Net;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Authenticates every request to the upstream, for the mirror's own fetches and for YARP's forwarding
/// alike: sends what is cached for the request's scope, and on a 401 answers the challenge once and retries.
/// Only body-less requests pass through here (the mirror is read-only), so a retry can resend the request.
/// A token realm that cannot be asked makes the answer a 503, as an upstream that cannot be asked would be.
/// </summary>
internal sealed class UpstreamAuthHandler(UpstreamAuthenticator authenticator) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var scope = UpstreamAuthenticator.ScopeFor(request.RequestUri);
        authenticator.AuthorizeFromCache(request, scope);
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
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request, ReasonPhrase = problem };
        }

        if (answer.Authorization is null || answer.Authorization.Equals(request.Headers.Authorization))
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = answer.Authorization;
        return await base.SendAsync(request, cancellationToken);
    }
}
