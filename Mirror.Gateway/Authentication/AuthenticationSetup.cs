using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Authorization;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Who may use the mirror, on ASP.NET Core's authentication and authorization: the configured mode's
/// scheme is the default (the JWT bearer scheme serves both token modes), the <see cref="RegistryPolicy"/>
/// guards <c>/v2/</c> with <see cref="PullRequirement"/>, and the <see cref="MetricsPolicy"/> guards the
/// scrape path on the main address.
/// </summary>
internal static class AuthenticationSetup
{
    public const string RegistryPolicy = "registry";
    public const string MetricsPolicy = "metrics";

    public static IServiceCollection AddMirrorAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<AuthOptions>, AuthOptionsSetup>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<AuthOptions>().ValidateOnStart();
        services.AddSingleton<VerifiedCredentials>();
        services.AddSingleton<FailedLogins>();
        services.AddSingleton<HtpasswdUsers>();
        services.AddSingleton<Upstream.UpstreamAccessProbe>();
        services.AddSingleton<UpstreamTokenService>();
        services.AddSingleton<TokenSigningKeys>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, TokenAuthenticationSetup>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, HtpasswdAuthenticationHandler>(AuthSchemes.Htpasswd, null)
            .AddJwtBearer(AuthSchemes.Token);
        services.AddSingleton<IConfigureOptions<AuthenticationOptions>>(sp => new ConfigureOptions<AuthenticationOptions>(
            options => options.DefaultScheme = AuthSchemes.For(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode)));

        services.AddAuthorization();
        services.AddSingleton<IConfigureOptions<AuthorizationOptions>>(sp => new ConfigureOptions<AuthorizationOptions>(options =>
        {
            if (AuthSchemes.For(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode) is { } scheme)
            {
                options.AddPolicy(RegistryPolicy, policy => policy.AddAuthenticationSchemes(scheme).AddRequirements(new PullRequirement()));
                options.AddPolicy(MetricsPolicy, policy => policy.AddAuthenticationSchemes(scheme).AddRequirements(new MetricsRequirement()));
            }
        }));
        services.AddSingleton<IAuthorizationHandler, PullAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, MetricsAuthorizationHandler>();
        services.AddSingleton<IRegistryAccess>(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode is AuthMode.Token or AuthMode.Upstream
            ? new TokenAccess()
            : new AuthenticatedAccess());
        return services;
    }
}
