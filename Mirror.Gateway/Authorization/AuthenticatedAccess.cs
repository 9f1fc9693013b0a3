using System.Security.Claims;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authorization;

/// <summary><c>auth.htpasswd</c>, as distribution has it: every authenticated user may pull everything, and list the catalog.</summary>
internal sealed class AuthenticatedAccess : IRegistryAccess
{
    public bool CanPull(ClaimsPrincipal user, string repository) => IsAuthenticated(user);

    public bool CanReach(ClaimsPrincipal user, RegistryEndpoint endpoint) => IsAuthenticated(user);

    internal static bool IsAuthenticated(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true;
}
