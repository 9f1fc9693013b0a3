using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Asks one upstream what a client's own credentials (or none) would get there, for <c>auth.upstream</c>:
/// whether it accepts them, and whether they may pull a repository. With a Bearer upstream the token realm
/// is asked for the repository's pull scope and the token's <c>access</c> claim read (a token that is not a
/// JWT with that claim is tried on the repository's tag list); with a Basic upstream the tag list is asked
/// with the credentials, as is the tag list of an upstream that asks for nothing at <c>/v2/</c>. Client
/// credentials go only to a realm <see cref="CredentialPolicy"/> allows.
/// Answers that could not be had throw <see cref="UpstreamUnavailableException"/>.
/// </summary>
internal sealed class UpstreamAccessProbe(MirroredRegistry registry)
{
    private UpstreamOptions Options => registry.Options;

    public async Task<bool> AcceptsLoginAsync(BasicCredentials credentials, CancellationToken cancellationToken)
    {
        var challenge = await DiscoverAsync(cancellationToken);
        return challenge is { IsBearer: true }
            ? await TokenAsync(challenge, null, credentials, cancellationToken) is not null
            : await ProbeAsync(new Uri(Options.RemoteUrl, "v2/"), credentials.ToHeader(), cancellationToken);
    }

    public async Task<bool> GrantsPullAsync(BasicCredentials? credentials, RepositoryName repository, CancellationToken cancellationToken)
    {
        var challenge = await DiscoverAsync(cancellationToken);
        var tags = new Uri(Options.RemoteUrl, $"v2/{repository}/tags/list?n=1");
        switch (challenge)
        {
            case { IsBearer: true }:
                if (await TokenAsync(challenge, $"repository:{repository}:pull", credentials, cancellationToken) is not { } token)
                {
                    return false;
                }

                return GrantsFromClaim(token, repository.Value)
                    ?? await ProbeAsync(tags, new AuthenticationHeaderValue(AuthChallenge.Bearer, token), cancellationToken);
            default:
                // Basic, or no challenge at /v2/ (a registry may still protect repositories): ask the repository itself.
                return await ProbeAsync(tags, credentials?.ToHeader(), cancellationToken);
        }
    }

    /// <summary>What a registry token's <c>access</c> claim says of pulling <paramref name="repository"/>; <c>null</c> when it is not such a token.</summary>
    internal static bool? GrantsFromClaim(string token, string repository)
    {
        try
        {
            var jwt = new JsonWebToken(token);
            using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
            if (!payload.RootElement.TryGetProperty("access", out var access) || access.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            // Read without checking the signature: the token came straight from the realm, which is what decides.
            return access.EnumerateArray().Any(item =>
                item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "repository"
                && item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() == repository
                && item.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array
                && actions.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() is "pull" or "*"));
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException)
        {
            return null;
        }
    }

    private async Task<AuthChallenge?> DiscoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await registry.Authenticator.DiscoverChallengeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"the upstream could not be asked how it authenticates: {ex.Message}");
        }
    }

    private async Task<string?> TokenAsync(AuthChallenge challenge, string? scope, BasicCredentials? credentials, CancellationToken cancellationToken)
    {
        if (credentials is not null && !CredentialPolicy.AllowsCredentials(challenge.Realm!, Options.RemoteUrl))
        {
            // A realm off the upstream's domain never sees a client's password.
            return null;
        }

        var answer = await registry.Authenticator.RequestTokenAsync(challenge, scope, credentials?.ToHeader(), cancellationToken);
        return answer.Status switch
        {
            TokenStatus.Granted => answer.Token,
            TokenStatus.Refused => null,
            TokenStatus.OverLimit => throw new UpstreamUnavailableException(answer.Problem!) { Limit = answer.Limit },
            _ => throw new UpstreamUnavailableException($"the token realm could not be asked: {answer.Problem}"),
        };
    }

    /// <summary>A GET with <paramref name="authorization"/>: 200 is yes, any other answer no, none at all unavailable.</summary>
    private async Task<bool> ProbeAsync(Uri url, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = authorization;
        try
        {
            using var response = await registry.SendAsync(request, authenticate: false, cancellationToken);
            return (int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests
                ? response.StatusCode == HttpStatusCode.OK
                : throw new UpstreamUnavailableException($"the upstream answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"the upstream could not be asked: {ex.Message}");
        }
    }
}
