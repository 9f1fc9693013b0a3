using System.Net.Http.Headers;
using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// How the mirror answers an upstream's challenge: the header to send again with, none (it has no
/// credentials the challenge would take, or the realm refused), that the realm could not be asked, or that
/// its answer was over the mirror's bound.
/// </summary>
internal sealed record ChallengeAnswer(AuthenticationHeaderValue? Authorization, string? Unreachable)
{
    public static readonly ChallengeAnswer None = new(null, null);

    /// <summary>The bound the realm's answer went over (<c>mirror.limits.tokenbytes</c>), if it did.</summary>
    public UpstreamError? Limit { get; init; }

    public static ChallengeAnswer OverLimit(UpstreamError limit) => new(null, null) { Limit = limit };

    public static ChallengeAnswer With(AuthenticationHeaderValue authorization) => new(authorization, null);

    public static ChallengeAnswer RealmDown(string problem) => new(null, problem);
}
