using System.Security.Claims;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authorization;

/// <summary>One auth mode's rule for who may have what under <c>/v2/</c>.</summary>
internal interface IRegistryAccess
{
    /// <summary>Whether <paramref name="user"/> may pull from <paramref name="repository"/> (the name as the client wrote it).</summary>
    bool CanPull(ClaimsPrincipal user, string repository);

    /// <summary>
    /// Whether <paramref name="user"/> may reach an <paramref name="endpoint"/> outside any repository (<c>/v2/</c>
    /// itself, the catalog, or a path that is no API path, which is answered <c>UNSUPPORTED</c> once let through).
    /// </summary>
    bool CanReach(ClaimsPrincipal user, RegistryEndpoint endpoint);
}
