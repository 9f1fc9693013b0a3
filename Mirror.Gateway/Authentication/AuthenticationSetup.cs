using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Who clients are, on ASP.NET Core's authentication: the configured mode's scheme is the default (the JWT
/// bearer scheme serves both token modes), with what each mode needs.
/// </summary>
internal static class AuthenticationSetup
{
    public static IServiceCollection AddMirrorAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<AuthOptions>, AuthOptionsSetup>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<AuthOptions>().ValidateOnStart();
        services.AddSingleton<VerifiedCredentials>();
        services.AddSingleton<FailedLogins>();
        services.AddSingleton<HtpasswdUsers>();
        services.AddSingleton<UpstreamTokenService>();
        services.AddSingleton<TokenSigningKeys>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, TokenAuthenticationSetup>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, HtpasswdAuthenticationHandler>(AuthSchemes.Htpasswd, null)
            .AddJwtBearer(AuthSchemes.Token);
        services.AddSingleton<IConfigureOptions<AuthenticationOptions>>(sp => new ConfigureOptions<AuthenticationOptions>(
            options => options.DefaultScheme = AuthSchemes.For(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Mode)));
        return services;
    }
}
