using System.Net.Http.Headers;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// How the mirror answers an upstream's challenge: the header to send again with, none (it has no
/// credentials the challenge would take, or the realm refused), or that the realm could not be asked.
/// </summary>
internal sealed record ChallengeAnswer(AuthenticationHeaderValue? Authorization, string? Unreachable)
{
    public static readonly ChallengeAnswer None = new(null, null);

    public static ChallengeAnswer With(AuthenticationHeaderValue authorization) => new(authorization, null);

    public static ChallengeAnswer RealmDown(string problem) => new(null, problem);
}
