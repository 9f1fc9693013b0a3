using System.Security.Claims;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// <c>auth.token</c> and <c>auth.upstream</c>: a token's <c>access</c> claim decides, per repository and
/// action; <c>/v2/</c> needs any valid token, the catalog <c>registry:catalog:*</c>, and nothing else outside
/// a repository is reachable.
/// </summary>
internal sealed class TokenAccess : IRegistryAccess
{
    public bool CanPull(ClaimsPrincipal user, string repository) => RegistryAccessClaims.Grants(user, $"repository:{repository}", "pull");

    public bool CanReach(ClaimsPrincipal user, RegistryEndpoint endpoint) =>
        AuthenticatedAccess.IsAuthenticated(user) && endpoint switch
        {
            RegistryEndpoint.Ping => true,
            RegistryEndpoint.Catalog => RegistryAccessClaims.Grants(user, "registry:catalog", "*"),
            _ => false,
        };
}
