using Mirror.Cache;
using Mirror.Cache.Pins;
using Mirror.Cache.Upstream;
using Mirror.Cache.Watch;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Watch;

/// <summary>Watched images (<c>mirror.watch</c>) and pins (<c>mirror.pin</c>): their options, and the watcher over the registries.</summary>
internal static class WatchServiceCollectionExtensions
{
    /// <summary>The options alone, for the commands that read the configuration as serving does (<c>gc</c> keeps pins too).</summary>
    public static IServiceCollection AddWatchOptions(this IServiceCollection services) =>
        services.AddOptionsSetup<WatchOptions, WatchOptionsSetup>()
            .AddOptionsSetup<PinOptions, PinOptionsSetup>();

    /// <summary>The options and the watcher, which fetches through the registries' own ports.</summary>
    public static IServiceCollection AddWatch(this IServiceCollection services) =>
        services.AddWatchOptions()
            .AddSingleton<IUpstreams, RegistryUpstreams>()
            .AddImageWatcher();
}
