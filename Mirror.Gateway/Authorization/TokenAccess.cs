using System.Security.Claims;
using Mirror.Gateway.Authentication;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// <c>auth.token</c> and <c>auth.upstream</c>: a token's <c>access</c> claim decides, per repository and
/// action; <c>/v2/</c> needs any valid token, the catalog <c>registry:catalog:*</c>, and nothing else outside
/// a repository is reachable.
/// </summary>
internal sealed class TokenAccess : IRegistryAccess
{
    public bool CanPull(ClaimsPrincipal user, string repository) => RegistryAccessClaims.Grants(user, $"repository:{repository}", "pull");

    public bool CanReach(ClaimsPrincipal user, PathString path) =>
        AuthenticatedAccess.IsAuthenticated(user)
        && (path.Value is "/v2" or "/v2/" || (path.StartsWithSegments("/v2/_catalog") && RegistryAccessClaims.Grants(user, "registry:catalog", "*")));
}
