using System.Security.Claims;

namespace Mirror.Gateway.Authorization;

/// <summary>One auth mode's rule for who may have what under <c>/v2/</c>.</summary>
internal interface IRegistryAccess
{
    /// <summary>Whether <paramref name="user"/> may pull from <paramref name="repository"/> (the name as the client wrote it).</summary>
    bool CanPull(ClaimsPrincipal user, string repository);

    /// <summary>Whether <paramref name="user"/> may reach a <c>/v2/</c> path outside any repository (<c>/v2/</c> itself, the catalog).</summary>
    bool CanReach(ClaimsPrincipal user, PathString path);
}
