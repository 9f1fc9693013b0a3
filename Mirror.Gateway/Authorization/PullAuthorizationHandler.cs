using Microsoft.AspNetCore.Authorization;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// Decides <see cref="PullRequirement"/> for a <c>/v2/</c> request with the auth mode's
/// <see cref="IRegistryAccess"/>: a request under a repository by that repository, anything else by
/// <see cref="IRegistryAccess.CanReach"/>.
/// </summary>
internal sealed class PullAuthorizationHandler(IRegistryAccess access) : AuthorizationHandler<PullRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PullRequirement requirement, HttpContext resource)
    {
        var path = RegistryPath.Parse(resource.Request.Path.Value ?? "/");
        var allowed = path.Name.Length > 0 ? access.CanPull(context.User, path.Name) : access.CanReach(context.User, path.Endpoint);
        if (allowed)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
