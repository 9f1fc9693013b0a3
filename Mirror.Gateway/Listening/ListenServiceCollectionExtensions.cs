using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Tls;

namespace Mirror.Gateway.Listening;

/// <summary>Where and how the mirror listens: its addresses, TLS, Kestrel's limits, and the minimum response rate.</summary>
internal static class ListenServiceCollectionExtensions
{
    public static IServiceCollection ListenOn(this IServiceCollection services)
    {
        services.AddServerOptions();
        services.AddSingleton<IConfigureOptions<TlsOptions>, TlsOptionsSetup>();
        services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        services.AddOptions<TlsOptions>().ValidateOnStart();
        services.AddSingleton<ClientCertificatePolicy>();
        services.AddSingleton<ServerCertificate>();
        services.AddSingleton<TlsHandshake>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ListenSetup>();
        services.AddSingleton<ResponseRates>();
        return services;
    }

    /// <summary>The server's options alone, for the commands that read the configuration as serving does.</summary>
    public static IServiceCollection AddServerOptions(this IServiceCollection services) =>
        services.AddOptionsSetup<ServerOptions, ServerOptionsSetup>();
}
