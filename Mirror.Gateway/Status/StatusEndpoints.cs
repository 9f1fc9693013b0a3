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

    /// <summary>Maps both, in a group that composition puts behind the status policy when authentication is on.</summary>
    public static RouteGroupBuilder MapStatus(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(string.Empty);
        group.MapGet(StatusPaths.Page, async (StatusReporter status, CancellationToken cancellationToken) =>
            Results.Content(StatusPage.Render(await status.ReportAsync(cancellationToken)), "text/html; charset=utf-8"));
        group.MapGet(StatusPaths.Json, async (StatusReporter status, CancellationToken cancellationToken) =>
            Results.Json(await status.ReportAsync(cancellationToken), StatusJson.Default.StatusReport));
        return group;
    }
}
