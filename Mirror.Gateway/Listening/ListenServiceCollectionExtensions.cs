using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
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

        // A response's bytes go to the socket on the thread that flushed them, not queued to one of Kestrel's
        // I/O queues: no thread hop per chunk, and the chunk just read from the file is sent while it is still
        // in this core's cache (bench/notes.md). "Unsafe" because application code then runs where socket
        // completions do; on Linux those are dispatched to the thread pool anyway (no inline completions here).
        services.Configure<SocketTransportOptions>(options => options.UnsafePreferInlineScheduling = true);
        services.AddSingleton<ResponseRates>();
        return services;
    }

    /// <summary>The server's options alone, for the commands that read the configuration as serving does.</summary>
    public static IServiceCollection AddServerOptions(this IServiceCollection services) =>
        services.AddOptionsSetup<ServerOptions, ServerOptionsSetup>();
}
