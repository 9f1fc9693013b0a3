using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Registry;

/// <summary>A token realm's answer: the token and its lifetime when granted; the status or the problem otherwise.</summary>
internal sealed record TokenAnswer(TokenStatus Status, string? Token, TimeSpan Lifetime, int HttpStatus, string? Problem)
{
    /// <summary>The bound the answer went over, for <see cref="TokenStatus.OverLimit"/>, when the asker names one of its keys.</summary>
    public UpstreamError? Limit { get; init; }

    public static TokenAnswer Granted(string token, TimeSpan lifetime) => new(TokenStatus.Granted, token, lifetime, 200, null);

    public static TokenAnswer Refused(int status) => new(TokenStatus.Refused, null, TimeSpan.Zero, status, null);

    public static TokenAnswer Unreachable(string problem) => new(TokenStatus.Unreachable, null, TimeSpan.Zero, 0, problem);

    public static TokenAnswer OverLimit(UpstreamError limit) => new(TokenStatus.OverLimit, null, TimeSpan.Zero, 200, limit.Message) { Limit = limit };

    /// <summary>An answer over <paramref name="maxBytes"/>, with no key of the asker's named yet.</summary>
    public static TokenAnswer TooLarge(long maxBytes) => new(TokenStatus.OverLimit, null, TimeSpan.Zero, 200, $"the token realm answered with over {maxBytes} bytes");
}
