namespace Mirror.Cache.Protocol;

/// <summary>Header names of the registry API, beside the standard ones (<c>HeaderNames</c>).</summary>
public static class RegistryHeaders
{
    public const string ApiVersion = "Docker-Distribution-API-Version";
    public const string ApiVersionValue = "registry/2.0";
    public const string ContentDigest = "Docker-Content-Digest";

    /// <summary>Docker Hub's pull allowance (docs.docker.com "Docker Hub usage and limits"), as <c>100;w=21600</c>.</summary>
    public const string RateLimitLimit = "ratelimit-limit";

    /// <summary>The pulls left of <see cref="RateLimitLimit"/>, as <c>76;w=21600</c>.</summary>
    public const string RateLimitRemaining = "ratelimit-remaining";

    /// <summary>Who the allowance is counted for: an address or an account.</summary>
    public const string RateLimitSource = "docker-ratelimit-source";

    /// <summary>Docker Hub's pull-limit headers, which clients show their users.</summary>
    public static readonly IReadOnlyList<string> RateLimit = [RateLimitLimit, RateLimitRemaining, RateLimitSource];
}
