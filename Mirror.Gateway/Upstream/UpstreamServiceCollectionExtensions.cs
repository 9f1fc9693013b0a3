using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The upstreams: one <see cref="MirroredRegistry"/> per configured registry, each with its own pipeline
/// (first-byte bound, authentication, request metrics) in front of its YARP cluster's HTTP client, which
/// the mirror's own fetches and token requests share.
/// </summary>
internal static class UpstreamServiceCollectionExtensions
{
    public static IServiceCollection AddUpstream(this IServiceCollection services) =>
        services.AddUpstreamOptions().AddSingleton<MirroredRegistries>();

    /// <summary>The upstreams' options alone, for the commands that read the configuration as serving does.</summary>
    public static IServiceCollection AddUpstreamOptions(this IServiceCollection services) =>
        services.AddOptionsSetup<UpstreamsOptions, UpstreamsOptionsSetup>();
}
