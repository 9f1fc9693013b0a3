using System.Security.Claims;
using Mirror.Gateway.Authentication;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// <c>auth.token</c>: a token's <c>access</c> claim decides, per repository and action; <c>/v2/</c> needs any
/// valid token, the catalog <c>registry:catalog:*</c>, and nothing else outside a repository is reachable.
/// </summary>
internal sealed class TokenAccess : IRegistryAccess
{
    public ValueTask<AccessDecision> CanPullAsync(HttpContext context, ClaimsPrincipal user, string repository) =>
        ValueTask.FromResult(RegistryAccessClaims.Grants(user, $"repository:{repository}", "pull") ? AccessDecision.Allowed : AccessDecision.Denied);

    public bool CanReach(ClaimsPrincipal user, PathString path) =>
        AuthenticatedAccess.IsAuthenticated(user)
        && (path.Value is "/v2" or "/v2/" || (path.StartsWithSegments("/v2/_catalog") && RegistryAccessClaims.Grants(user, "registry:catalog", "*")));
}
