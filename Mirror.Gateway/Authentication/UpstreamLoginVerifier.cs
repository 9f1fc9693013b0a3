using Microsoft.Extensions.Options;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Authentication;

/// <summary><c>auth.upstream</c>: a login is good when the upstream accepts it.</summary>
internal sealed class UpstreamLoginVerifier(UpstreamAccessProbe probe, IOptions<AuthOptions> options) : ICredentialVerifier
{
    public int Generation => 0;

    public TimeSpan VerdictTtl => options.Value.UpstreamTtl;

    public Task<bool> VerifyAsync(BasicCredentials credentials, CancellationToken cancellationToken) =>
        probe.AcceptsLoginAsync(credentials, cancellationToken);
}
