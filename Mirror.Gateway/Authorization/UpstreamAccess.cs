using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Mirror.Cache.Registry;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// <c>auth.upstream</c>: a client may pull a repository when the upstream would let the same credentials
/// (or an anonymous client) pull it. The upstream's answer is remembered per client and repository for
/// <c>auth.upstream.ttl</c>. Credentials the upstream refused are never treated as anonymous.
/// </summary>
internal sealed class UpstreamAccess(UpstreamAccessProbe probe, UpstreamClient upstream, VerifiedCredentials verdicts, IOptions<AuthOptions> options) : IRegistryAccess
{
    public async ValueTask<AccessDecision> CanPullAsync(HttpContext context, ClaimsPrincipal user, string repository)
    {
        var presented = !StringValues.IsNullOrEmpty(context.Request.Headers.Authorization);
        var credentials = BasicCredentials.TryParse(context.Request.Headers.Authorization);
        if (presented != AuthenticatedAccess.IsAuthenticated(user) || RepositoryName.TryParse(repository) is not { } name)
        {
            // Credentials that did not authenticate (or a name the API will refuse anyway).
            return AccessDecision.Denied;
        }

        var upstreamName = upstream.UpstreamName(name);
        var key = verdicts.KeyOf("pull", credentials?.User ?? string.Empty, credentials?.Password ?? string.Empty, upstreamName.Value);
        try
        {
            var allowed = await verdicts.CheckAsync(key, options.Value.UpstreamTtl, ct => probe.GrantsPullAsync(credentials, upstreamName, ct), context.RequestAborted);
            return allowed ? AccessDecision.Allowed : AccessDecision.Denied;
        }
        catch (UpstreamUnavailableException)
        {
            return AccessDecision.Unavailable;
        }
    }

    /// <summary>
    /// <c>/v2/</c> challenges anonymous clients, so those holding credentials send them (docker sends a
    /// docker.io login to a docker.io mirror only when challenged); nothing else outside a repository.
    /// </summary>
    public bool CanReach(ClaimsPrincipal user, PathString path) => AuthenticatedAccess.IsAuthenticated(user) && path.Value is "/v2" or "/v2/";
}
