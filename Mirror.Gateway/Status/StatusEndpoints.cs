using Mirror.Gateway.Authorization;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Status;

/// <summary>The status page at <see cref="StatusPaths.Page"/> and its facts as JSON at <see cref="StatusPaths.Json"/>.</summary>
internal static class StatusEndpoints
{
    public static IServiceCollection AddStatus(this IServiceCollection services)
    {
        services.AddSingleton<TrafficHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<TrafficHistory>());
        services.AddSingleton<PullHistory>();
        services.AddSingleton<StatusReporter>();
        return services;
    }

    /// <summary>Maps both; with authentication on, behind the <see cref="AuthorizationSetup.StatusPolicy"/>.</summary>
    public static void MapStatus(this IEndpointRouteBuilder endpoints, bool authOn)
    {
        var page = endpoints.MapGet(StatusPaths.Page, (StatusReporter status) =>
            Results.Content(StatusPage.Render(status.Report()), "text/html; charset=utf-8"));
        var json = endpoints.MapGet(StatusPaths.Json, (StatusReporter status) => Results.Json(status.Report()));
        if (authOn)
        {
            page.RequireAuthorization(AuthorizationSetup.StatusPolicy);
            json.RequireAuthorization(AuthorizationSetup.StatusPolicy);
        }
    }
}
