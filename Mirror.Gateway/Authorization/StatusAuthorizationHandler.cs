using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Listening;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// Decides <see cref="StatusRequirement"/>: on <c>http.debug.addr</c> anyone who reaches it; on the main
/// address an htpasswd user (every one of them may pull everything anyway), or a token that grants the
/// catalog (<c>registry:catalog:*</c>, distribution's grant for listing every repository); in
/// <c>auth.upstream</c> mode nobody, since anyone can have a token there.
/// </summary>
internal sealed class StatusAuthorizationHandler(IOptions<ServerOptions> server, IOptions<AuthOptions> auth) : AuthorizationHandler<StatusRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StatusRequirement requirement, HttpContext resource)
    {
        var allowed = resource.Connection.LocalPort == server.Value.DebugAddress?.Port || auth.Value.Mode switch
        {
            AuthMode.Htpasswd => AuthenticatedAccess.IsAuthenticated(context.User),
            AuthMode.Token => RegistryAccessClaims.Grants(context.User, "registry:catalog", "*"),
            _ => false,
        };
        if (allowed)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
