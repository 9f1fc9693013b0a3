using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Listening;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// Decides <see cref="MetricsRequirement"/>: a scrape on <c>http.debug.addr</c> (meant to be reachable only
/// from the monitoring network, as distribution's debug server) passes; on the main address the client
/// must be authenticated, and in <c>auth.upstream</c> mode it is not served there at all.
/// </summary>
internal sealed class MetricsAuthorizationHandler(IOptions<ServerOptions> server, IOptions<AuthOptions> auth) : AuthorizationHandler<MetricsRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsRequirement requirement, HttpContext resource)
    {
        // In auth.upstream mode anyone can have a token (an anonymous one, or with any upstream account): the
        // main address has no client it can tell apart as an operator, so metrics are the debug address's.
        var operatorOnMain = auth.Value.Mode != AuthMode.Upstream && AuthenticatedAccess.IsAuthenticated(context.User);
        if (resource.Connection.LocalPort == server.Value.DebugAddress?.Port || operatorOnMain)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
