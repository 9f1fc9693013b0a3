using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Basic authentication (RFC 7617) for <c>auth.htpasswd</c>: a request without credentials is anonymous (the
/// policy refuses it), one with credentials is authenticated when the htpasswd file's bcrypt hash matches,
/// and failures are slowed down per address and user name (<see cref="FailedLogins"/>). Challenges are distribution's: 401,
/// <c>WWW-Authenticate: Basic realm="..."</c> and the OCI error <c>UNAUTHORIZED</c>.
/// </summary>
internal sealed class HtpasswdAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    HtpasswdUsers users,
    VerifiedCredentials verified,
    FailedLogins failures,
    GatewayMetrics metrics,
    IOptions<AuthOptions> auth) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (BasicCredentials.TryParse(header) is not { } credentials)
        {
            return AuthenticateResult.Fail("the Authorization header does not hold Basic credentials");
        }

        // Credentials checked before are answered from memory; new ones wait their turn, and a delay when their
        // user name has failed too often from this address.
        var address = Context.Connection.RemoteIpAddress;
        var key = verified.KeyOf(Scheme.Name, users.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), credentials.User, credentials.Password);
        var known = users.Knows(credentials.User);
        if (!await verified.CheckAsync(key, auth.Value.CredentialTtl, ct => failures.CheckAsync(address, credentials.User, known, (spraying, c) => CheckAsync(credentials, known, spraying, c), ct), Context.RequestAborted))
        {
            AuthenticationLog.LoginFailed(Logger, Scheme.Name, address?.ToString() ?? "-");
            return AuthenticateResult.Fail("wrong user or password");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, credentials.User)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>The bcrypt check, counted when it runs: an unknown name from an address spraying names costs none.</summary>
    private async Task<bool> CheckAsync(BasicCredentials credentials, bool known, bool spraying, CancellationToken cancellationToken)
    {
        var accepted = await users.VerifyAsync(credentials.User, credentials.Password, spare: spraying, cancellationToken);
        if (known || !spraying)
        {
            metrics.CredentialChecked(Scheme.Name, accepted);
        }

        return accepted;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"Basic realm=\"{auth.Value.Realm!.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        return OciError.Unauthorized().WriteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        OciError.Denied($"{Context.User.Identity?.Name} may not pull this").WriteAsync(Context);
}
