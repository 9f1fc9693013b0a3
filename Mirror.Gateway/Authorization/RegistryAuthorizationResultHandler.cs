using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// ASP.NET Core's answers to a failed policy (challenge when anonymous, forbid when authenticated), except
/// when what decides could not be asked: then 503 <c>UNAVAILABLE</c>, so a client retries or falls back
/// instead of asking its user for a password that would not help.
/// </summary>
internal sealed class RegistryAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private static readonly object UnavailableKey = new();

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <summary>Marks the request as one whose credentials could not be checked because the upstream could not be asked.</summary>
    public static void MarkUnavailable(HttpContext context) => context.Items[UnavailableKey] = true;

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var unavailable = authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Message == PullAuthorizationHandler.Unavailable) == true
            || context.Items.ContainsKey(UnavailableKey);
        return unavailable
            ? OciError.FromUpstream(Cache.Fills.SourceStatus.Unavailable, OciErrorCode.Unauthorized, "the upstream could not be asked whether these credentials may pull this").WriteAsync(context)
            : _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
