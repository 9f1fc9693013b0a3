using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Authentication;

namespace Mirror.Gateway.Authorization;

/// <summary>
/// What clients may have, on ASP.NET Core's authorization: the <see cref="RegistryPolicy"/> guards <c>/v2/</c>
/// with <see cref="PullRequirement"/>, the <see cref="MetricsPolicy"/> the scrape path on the main address,
/// the <see cref="StatusPolicy"/> the status page.
/// </summary>
internal static class AuthorizationSetup
{
    public const string RegistryPolicy = "registry";
    public const string MetricsPolicy = "metrics";
    public const string StatusPolicy = "status";

    public static IServiceCollection AddMirrorAuthorization(this IServiceCollection services)
    {
        services.AddAuthorization();
        services.AddSingleton<IConfigureOptions<AuthorizationOptions>>(sp => new ConfigureOptions<AuthorizationOptions>(options =>
        {
            if (AuthSchemes.For(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode) is { } scheme)
            {
                options.AddPolicy(RegistryPolicy, policy => policy.AddAuthenticationSchemes(scheme).AddRequirements(new PullRequirement()));
                options.AddPolicy(MetricsPolicy, policy => policy.AddAuthenticationSchemes(scheme).AddRequirements(new MetricsRequirement()));
                options.AddPolicy(StatusPolicy, policy => policy.AddAuthenticationSchemes(scheme).AddRequirements(new StatusRequirement()));
            }
        }));
        services.AddSingleton<IAuthorizationHandler, PullAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, MetricsAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, StatusAuthorizationHandler>();
        services.AddSingleton<IRegistryAccess>(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode is AuthMode.Token or AuthMode.Upstream
            ? new TokenAccess()
            : new AuthenticatedAccess());
        return services;
    }
}
