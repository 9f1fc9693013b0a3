using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Thrown by checks that need the upstream's answer when it cannot be had, so that no verdict is remembered
/// from it; turned into a 503 for the client, or a 502 naming the bound when the answer was over one of the
/// mirror's (<see cref="Limit"/>).
/// </summary>
internal sealed class UpstreamUnavailableException(string message) : Exception(message)
{
    public UpstreamError? Limit { get; init; }
}
