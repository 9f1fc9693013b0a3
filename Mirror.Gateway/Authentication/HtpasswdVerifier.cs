using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Authentication;

/// <summary>Basic credentials checked against <c>auth.htpasswd</c>.</summary>
internal sealed class HtpasswdVerifier(HtpasswdUsers users, IOptions<AuthOptions> options) : ICredentialVerifier
{
    public int Generation => users.Generation;

    public TimeSpan VerdictTtl => options.Value.CredentialTtl;

    public Task<bool> VerifyAsync(BasicCredentials credentials, CancellationToken cancellationToken) =>
        users.VerifyAsync(credentials.User, credentials.Password, cancellationToken);
}
