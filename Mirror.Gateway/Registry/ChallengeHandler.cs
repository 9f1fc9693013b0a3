using System.Net;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Registry;

/// <summary>
/// A registry client's side of authentication (RFC 9110 11.6; distribution's token authentication): the
/// credentials a request needs are set before it goes out, and on a 401 the registry's challenge is answered
/// once and the request sent again with the answer, unless the answer is what was sent already. Only
/// body-less requests are sent again (a body is gone once sent); registry pulls have none. Which credentials,
/// and how a challenge is answered, are the derived handler's: the mirror's to its upstreams
/// (<c>UpstreamAuthHandler</c>), the prefetch client's to the mirror (<c>MirrorAuthentication</c>).
/// </summary>
internal abstract class ChallengeHandler : DelegatingHandler
{
    protected sealed override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Passes(request))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        if (await AuthorizeAsync(request, cancellationToken) is { } instead)
        {
            return instead;
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null
            || AuthChallenge.Select(response.Headers.WwwAuthenticate) is not { } challenge)
        {
            return response;
        }

        var sent = request.Headers.Authorization;
        if (await AnswerAsync(request, challenge, cancellationToken) is { } answered)
        {
            response.Dispose();
            return answered;
        }

        if (request.Headers.Authorization is null || request.Headers.Authorization.Equals(sent))
        {
            // No credentials the challenge would take, or a refusal of the ones it takes: the 401 is the answer.
            return response;
        }

        response.Dispose();
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>Whether <paramref name="request"/> goes out as it is, its 401 unanswered (a token request, say).</summary>
    protected virtual bool Passes(HttpRequestMessage request) => false;

    /// <summary>Sets the credentials <paramref name="request"/> needs before it goes out; or answers it instead of sending it.</summary>
    protected abstract Task<HttpResponseMessage?> AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>
    /// Answers <paramref name="challenge"/>, to <paramref name="request"/>: sets the credentials to send it
    /// again with, leaves them as they were (no answer: the 401 stands), or answers the request instead.
    /// </summary>
    protected abstract Task<HttpResponseMessage?> AnswerAsync(HttpRequestMessage request, AuthChallenge challenge, CancellationToken cancellationToken);

    /// <summary>Sends a request past this handler, unauthenticated: to a token realm.</summary>
    protected Task<HttpResponseMessage> SendPastAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}
