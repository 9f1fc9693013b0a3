using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.FrontProxy;

/// <summary>The mirror behind a reverse proxy: its forwarded headers, and warm blobs it sends from the store.</summary>
internal static class FrontProxyServiceCollectionExtensions
{
    public static IServiceCollection AddFrontProxy(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>();
        services.AddSingleton<AccelRedirect>();
        return services;
    }
}
