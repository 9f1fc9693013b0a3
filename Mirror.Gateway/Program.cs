using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Fills;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Gateway;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Blobs;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Health;
using Mirror.Gateway.Listening;
using Mirror.Gateway.Manifests;
using Mirror.Gateway.Proxy;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Tags;
using Mirror.Gateway.Tls;
using Mirror.Gateway.Upstream;
using OpenTelemetry.Metrics;
using Yarp.ReverseProxy.Forwarder;

// Usage, as distribution's: Mirror.Gateway [serve] [config.yml] [--Key=value ...]; the switches are
// ordinary .NET configuration (and how WebApplicationFactory passes its settings).
var switches = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var arguments = args.Except(switches).SkipWhile(a => a == "serve").ToArray();
if (arguments.Length > 1)
{
    Console.Error.WriteLine("usage: Mirror.Gateway [serve] [config.yml] [--Key=value ...]");
    return 2;
}

try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = switches, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddDistributionConfiguration(arguments.FirstOrDefault());
    if (DistributionConfiguration.RefusedSettings(builder.Configuration) is [_, ..] refused)
    {
        foreach (var setting in refused)
        {
            Console.Error.WriteLine($"mirror: configuration: {setting}");
        }

        return 1;
    }

    var services = builder.Services;
    services.AddSingleton(TimeProvider.System);
    services.AddSingleton(new ConfigurationReader(builder.Configuration));
    services.AddSingleton<MirrorOptionsSetup>();
    services.AddSingleton<IConfigureOptions<TlsOptions>, TlsOptionsSetup>();
    services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
    services.AddOptions<TlsOptions>().ValidateOnStart();
    services.AddSingleton<ClientCertificatePolicy>();
    services.AddSingleton<ServerCertificate>();
    services.AddSingleton<TlsHandshake>();
    services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ListenSetup>();
    services.AddMirrorAuthentication();
    services.AddSingleton<IConfigureOptions<UpstreamOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<ServerOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<StoreOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<LogOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<EvictionOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<TagOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<TimeoutOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IConfigureOptions<FillOptions>>(sp => sp.GetRequiredService<MirrorOptionsSetup>());
    services.AddSingleton<IValidateOptions<StoreOptions>, MirrorOptionsValidator>();
    services.AddSingleton<IValidateOptions<UpstreamOptions>, MirrorOptionsValidator>();
    services.AddSingleton<IValidateOptions<LogOptions>, MirrorOptionsValidator>();
    services.AddOptions<UpstreamOptions>().ValidateOnStart();
    services.AddOptions<ServerOptions>().ValidateOnStart();
    services.AddOptions<StoreOptions>().ValidateOnStart();
    services.AddOptions<LogOptions>().ValidateOnStart();
    services.AddOptions<EvictionOptions>().ValidateOnStart();
    services.AddOptions<TagOptions>().ValidateOnStart();
    services.AddOptions<TimeoutOptions>().ValidateOnStart();
    services.AddOptions<FillOptions>().ValidateOnStart();

    services.AddSingleton<MirrorMetrics>();
    services.AddSingleton<GatewayMetrics>();
    services.AddSingleton<CacheOutcomes>();
    services.AddSingleton<UpstreamHealth>();
    services.AddTransient<UpstreamMetricsHandler>();
    services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddMeter(MirrorMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
        .AddPrometheusExporter());
    services.AddHealthChecks()
        .AddCheck<StoreHealthCheck>("store")
        .AddCheck<UpstreamHealthCheck>("upstream");

    services.AddSingleton<ContentStore>();
    services.AddSingleton<StoreEvictor>();
    services.AddHostedService<StoreSweeper>();
    services.AddDistributedMemoryCache();
    services.AddSingleton<TagStore>();
    services.AddSingleton<RepositoryLinks>();
    services.AddSingleton<UpstreamAuthenticator>();
    services.AddTransient<UpstreamAuthHandler>();
    services.AddSingleton<UpstreamClient>();
    services.AddSingleton<IBlobSource>(sp => sp.GetRequiredService<UpstreamClient>());
    services.AddSingleton<BlobFillCoordinator>();
    services.AddSingleton<ManifestEndpoint>();
    services.AddSingleton<BlobEndpoint>();
    services.AddSingleton<TagListEndpoint>();
    services.AddHostedService<MirrorStartup>();

    services.AddHttpClient(UpstreamClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
        .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
        {
            // Docker Hub redirects blob GETs to its CDN; the handler drops Authorization on a redirect.
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = provider.GetRequiredService<IOptions<TimeoutOptions>>().Value.Connect,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        .AddHttpMessageHandler<UpstreamAuthHandler>()
        .AddHttpMessageHandler<UpstreamMetricsHandler>()
        .RemoveAllLoggers();
    services.AddHttpClient(UpstreamAuthenticator.TokenClient, (provider, client) =>
        {
            var timeouts = provider.GetRequiredService<IOptions<TimeoutOptions>>().Value;
            client.Timeout = timeouts.Connect + timeouts.FirstByte;
        })
        .RemoveAllLoggers();

    // YARP registers data protection for session affinity, which the mirror does not use: keep its keys
    // in memory rather than writing a key ring to disk.
    services.AddDataProtection().UseEphemeralDataProtectionProvider();
    services.AddReverseProxy()
        .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
        .AddTransforms<RegistryTransformProvider>();
    services.AddSingleton<IForwarderHttpClientFactory, UpstreamForwarderHttpClientFactory>();

    var app = builder.Build();

    // Validated here, before the host starts, so that a bad value is reported as one line of ours
    // rather than as the host's start-up failure with a stack trace.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    var serverOptions = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
    app.UseMiddleware<RequestLogMiddleware>();
    if (serverOptions.Headers.Count > 0)
    {
        app.UseMiddleware<ResponseHeadersMiddleware>();
    }

    if (serverOptions.DebugAddress is not null)
    {
        app.UseMiddleware<DebugListenerMiddleware>();
    }

    app.UseMiddleware<RequestGuardMiddleware>();
    app.UseRouting();
    app.UseAuthentication();
    app.UseAuthorization();
    var authOn = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode != AuthMode.None;
    if (serverOptions.MetricsEnabled)
    {
        var metrics = app.MapPrometheusScrapingEndpoint(serverOptions.MetricsPath);
        if (authOn)
        {
            metrics.RequireAuthorization(AuthenticationSetup.MetricsPolicy);
        }
    }

    app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
    app.MapHealthChecks("/readyz", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
    if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Upstream)
    {
        app.MapGet(UpstreamTokenService.Path, app.Services.GetRequiredService<UpstreamTokenService>().IssueAsync);
    }

    var registry = app.MapReverseProxy(proxy => proxy.UseMiddleware<RegistryApiMiddleware>());
    if (authOn)
    {
        registry.RequireAuthorization(AuthenticationSetup.RegistryPolicy);
    }
    app.MapFallback(context => OciError.NotFound(OciErrorCode.Unsupported, "not a registry API path: the mirror serves /v2/").WriteAsync(context));
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine($"mirror: configuration: {failure}");
    }

    return 1;
}
catch (Exception ex) when (ex is FileNotFoundException or FormatException or InvalidDataException)
{
    // A YAML error arrives wrapped ("Failed to load configuration from file"); its own message says where.
    Console.Error.WriteLine($"mirror: configuration: {(ex is InvalidDataException { InnerException: { } inner } ? inner.Message : ex.Message)}");
    return 1;
}

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
internal sealed partial class Program;
