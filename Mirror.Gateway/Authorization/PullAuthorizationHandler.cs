using Microsoft.AspNetCore.Authorization;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// Decides <see cref="PullRequirement"/> for a <c>/v2/</c> request with the auth mode's
/// <see cref="IRegistryAccess"/>: a request under a repository by that repository, anything else by
/// <see cref="IRegistryAccess.CanReach"/>. A rule that could not decide fails with the reason
/// <see cref="Unavailable"/>, which <see cref="RegistryAuthorizationResultHandler"/> answers with a 503.
/// </summary>
internal sealed class PullAuthorizationHandler(IRegistryAccess access) : AuthorizationHandler<PullRequirement, HttpContext>
{
    public const string Unavailable = "the upstream could not be asked who may pull this";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PullRequirement requirement, HttpContext resource)
    {
        var path = RegistryPath.Parse(resource.Request.Path.Value ?? "/");
        var decision = path.Name.Length > 0
            ? await access.CanPullAsync(resource, context.User, path.Name)
            : access.CanReach(context.User, resource.Request.Path) ? AccessDecision.Allowed : AccessDecision.Denied;
        switch (decision)
        {
            case AccessDecision.Allowed:
                context.Succeed(requirement);
                break;
            case AccessDecision.Unavailable:
                context.Fail(new AuthorizationFailureReason(this, Unavailable));
                break;
            default:
                context.Fail();
                break;
        }
    }
}
