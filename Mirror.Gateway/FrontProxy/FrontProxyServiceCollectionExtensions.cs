using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.FrontProxy;

/// <summary>The mirror behind a reverse proxy: its forwarded headers, and warm blobs it sends from the store.</summary>
internal static class FrontProxyServiceCollectionExtensions
{
    public static IServiceCollection AddFrontProxy(this IServiceCollection services)
    {
        services.AddFrontProxyOptions();
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>();
        services.AddSingleton<AccelRedirect>();
        return services;
    }

    /// <summary>The front proxy's options alone, for the commands that read the configuration as serving does.</summary>
    public static IServiceCollection AddFrontProxyOptions(this IServiceCollection services) =>
        services.AddOptionsSetup<FrontProxyOptions, FrontProxyOptionsSetup>();
}
