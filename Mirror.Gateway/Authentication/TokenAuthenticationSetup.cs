using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// <c>auth.token</c> and <c>auth.upstream</c> on ASP.NET Core's JWT bearer handler. With <c>auth.token</c>,
/// tokens come from the configured token service, signed by a key <see cref="TokenSigningKeys"/> finds,
/// issued by <c>issuer</c> for <c>service</c>; with <c>auth.upstream</c>, from the mirror's own
/// <see cref="UpstreamTokenService"/>, signed with its key. Either way within their lifetime (with
/// distribution's 60 s of leeway). Challenges are distribution's: 401 with <c>Bearer realm,service,scope</c>,
/// <c>error="invalid_token"</c> for a token that failed, and <c>error="insufficient_scope"</c> for a valid
/// one without the access the request needs.
/// </summary>
internal sealed class TokenAuthenticationSetup(IOptions<AuthOptions> auth, IServiceProvider services, FailedLogins failures) : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <summary>distribution's leeway on <c>exp</c> and <c>nbf</c> (registry/auth/token: <c>Leeway</c>).</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromSeconds(60);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != AuthSchemes.Token)
        {
            return;
        }

        options.MapInboundClaims = false;
        options.TokenValidationParameters = Validation(auth.Value);
        options.Events = Events();
    }

    /// <summary>Who may sign, for whom, and until when: the token service's key and issuer, or the mirror's own.</summary>
    private TokenValidationParameters Validation(AuthOptions settings)
    {
        var validation = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Service,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = Leeway,
            NameClaimType = "sub",
        };
        if (settings.Mode == AuthMode.Upstream)
        {
            validation.ValidIssuer = UpstreamTokenService.Issuer;
            validation.IssuerSigningKey = services.GetRequiredService<UpstreamTokenService>().SigningKey;
            validation.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            validation.IssuerSigningKeyResolver = services.GetRequiredService<TokenSigningKeys>().Resolve;
            validation.ValidAlgorithms = settings.SigningAlgorithms;
        }

        return validation;
    }

    /// <summary>The grants a valid token carries, failed tokens counted, and distribution's challenges.</summary>
    private JwtBearerEvents Events() => new()
    {
        OnTokenValidated = context =>
        {
            if (context.SecurityToken is JsonWebToken token && context.Principal?.Identity is ClaimsIdentity identity)
            {
                // Only the access claim grants: a payload property that happens to be named like our claim type does not.
                foreach (var forged in identity.FindAll(RegistryAccessClaims.Type).ToList())
                {
                    identity.RemoveClaim(forged);
                }

                identity.AddClaims(RegistryAccessClaims.From(token));
            }

            return Task.CompletedTask;
        },
        OnAuthenticationFailed = context =>
            context.Exception is SecurityTokenExpiredException or SecurityTokenNotYetValidException
                ? Task.CompletedTask
                : failures.FailedTokenAsync(context.HttpContext.Connection.RemoteIpAddress, context.HttpContext.RequestAborted),
        OnChallenge = context =>
        {
            context.HandleResponse();
            return ChallengeAsync(context.HttpContext, context.AuthenticateFailure is null ? null : "invalid_token");
        },
        OnForbidden = context => ChallengeAsync(context.HttpContext, "insufficient_scope"),
    };

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    private Task ChallengeAsync(HttpContext context, string? error)
    {
        var settings = auth.Value;
        var realm = settings.Realm ?? $"{context.Request.Scheme}://{context.Request.Host}{UpstreamTokenService.Path}";
        var challenge = $"Bearer realm=\"{realm}\",service=\"{settings.Service}\"";
        if (RegistryScope.For(context.Request.Path) is { } scope)
        {
            challenge += $",scope=\"{scope}\"";
        }

        if (error is not null)
        {
            challenge += $",error=\"{error}\"";
        }

        context.Response.Headers.WWWAuthenticate = challenge;
        return OciError.Unauthorized().WriteAsync(context);
    }
}
