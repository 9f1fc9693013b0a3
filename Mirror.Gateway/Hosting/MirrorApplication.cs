using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Mirror.Cache;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Api;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Authorization;
using Mirror.Gateway.Caching;
using Mirror.Gateway.Cluster;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Health;
using Mirror.Gateway.Listening;
using Mirror.Gateway.Policy;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Status;
using Mirror.Gateway.Upstream;
using Mirror.Gateway.Watch;
using OpenTelemetry.Metrics;

namespace Mirror.Gateway.Hosting;

/// <summary>The composition root: every feature's services, and the request pipeline in its order.</summary>
internal static class MirrorApplication
{
    /// <summary>
    /// The label sets each metric keeps (OpenTelemetry's cardinality limit; more go to one <c>otel_metric_overflow</c>
    /// series). OpenTelemetry allocates them up front, per instrument: its default of 2000 held about 9 MiB of the
    /// native build's memory at idle for some 45 instruments whose labels (upstream, type, method, status, route)
    /// make tens of sets (#22, bench/notes.md).
    /// </summary>
    public const int MetricCardinalityLimit = 500;

    public static WebApplicationBuilder AddMirror(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddDistributionOptions(builder.Configuration);
        services.AddCacheOptions();
        services.AddPolicyOptions();
        services.AddOptionsSetup<ClusterOptions, ClusterOptionsSetup>();
        services.AddCache(ClusterOptionsSetup.ComposedClusterOf(builder.Configuration));
        services.AddUpstream();
        services.AddWatch();
        services.AddRegistryApi();
        services.AddMirrorAuthentication();
        services.AddMirrorAuthorization();
        services.AddFrontProxy();
        services.ListenOn();
        services.AddSingleton<GatewayMetrics>();
        services.AddStatus();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MirrorMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit })
            .AddPrometheusExporter());
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<UpstreamHealthCheck>("upstream");
        services.AddHostedService<GatewayStartup>();
        services.AddHostedService<StartupPagesRelease>();
        WithoutKeyRingWarmUp(services);
        return builder;
    }

    /// <summary>
    /// Data protection's keys are ephemeral (<see cref="RegistryApiServiceCollectionExtensions.AddRegistryApi"/>), yet its
    /// hosted service loads the key ring from disk before Kestrel listens: it reads, or on a fresh host writes,
    /// <c>~/.aspnet/DataProtection-Keys</c> (in the image, the store's volume), and delays the first answer (#22).
    /// </summary>
    private static void WithoutKeyRingWarmUp(IServiceCollection services)
    {
        foreach (var warmUp in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(warmUp);
        }
    }

    /// <summary>
    /// The pipeline: response headers (nosniff, <c>http.headers</c>) first; behind trusted proxies, their forwarded headers; one log line per request, the debug listener's limits, the request
    /// guard, the upstream's selection, then routing with authentication and authorization in front of metrics, health, the token
    /// service and the registry API.
    /// </summary>
    public static WebApplication UseMirror(this WebApplication app)
    {
        var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var authOn = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode != AuthMode.None;

        // First, so that every answer the mirror makes carries nosniff and the configured headers.
        app.UseMiddleware<ResponseHeadersMiddleware>();
        if (app.Services.GetRequiredService<IOptions<FrontProxyOptions>>().Value.TrustedProxies.Count > 0)
        {
            app.UseMiddleware<TrustedPeerMiddleware>();
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<RequestLogMiddleware>(app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.IsCluster);
        if (server.DebugAddress is not null)
        {
            app.UseMiddleware<DebugListenerMiddleware>();
        }

        app.UseMiddleware<RequestGuardMiddleware>();
        app.UseMiddleware<UpstreamSelectionMiddleware>();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        MapEndpoints(app, server, authOn);
        return app;
    }

    /// <summary>Metrics, the status page, health, the token service, a cluster node's fills for the other nodes, and the registry API; with authentication on, each behind its policy (the fills behind http.secret).</summary>
    private static void MapEndpoints(WebApplication app, ServerOptions server, bool authOn)
    {
        void Guard(IEndpointConventionBuilder endpoints, string policy)
        {
            if (authOn)
            {
                endpoints.RequireAuthorization(policy);
            }
        }

        if (server.MetricsEnabled)
        {
            Guard(app.MapPrometheusScrapingEndpoint(server.MetricsPath), AuthorizationSetup.MetricsPolicy);
        }

        Guard(app.MapStatus(), AuthorizationSetup.StatusPolicy);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Upstream)
        {
            app.MapGet(UpstreamTokenService.Path, app.Services.GetRequiredService<UpstreamTokenService>().IssueAsync);
        }

        if (app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.IsCluster)
        {
            // The other nodes' requests for this node's fills: signed with http.secret, not a client's credentials.
            app.MapGet(FillPeerOptions.Path + "{digest}", (HttpContext context, string digest) => context.RequestServices.GetRequiredService<FillStreamEndpoint>().ServeAsync(context, digest));
        }

        Guard(app.MapReverseProxy(pipeline => pipeline.UseMiddleware<RegistryApiMiddleware>()), AuthorizationSetup.RegistryPolicy);
        app.MapFallback(context => OciError.NotFound(OciErrorCode.Unsupported, "not a registry API path: the mirror serves /v2/").WriteAsync(context));
    }
}
