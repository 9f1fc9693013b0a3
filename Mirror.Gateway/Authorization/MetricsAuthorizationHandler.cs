using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// Decides <see cref="MetricsRequirement"/>: a scrape on <c>http.debug.addr</c> (meant to be reachable only
/// from the monitoring network, as distribution's debug server) passes; on the main address the client
/// must be authenticated.
/// </summary>
internal sealed class MetricsAuthorizationHandler(IOptions<ServerOptions> server) : AuthorizationHandler<MetricsRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsRequirement requirement, HttpContext resource)
    {
        if (resource.Connection.LocalPort == server.Value.DebugAddress?.Port || AuthenticatedAccess.IsAuthenticated(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
