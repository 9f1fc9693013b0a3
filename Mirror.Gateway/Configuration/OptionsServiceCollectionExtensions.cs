using Microsoft.Extensions.Options;
using Mirror.Cache.Proofs;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Upstream;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// The mirror's options, read from distribution's configuration key by key and validated at start, so a
/// value it cannot use stops it with one line naming the key.
/// </summary>
internal static class OptionsServiceCollectionExtensions
{
    public static IServiceCollection AddMirrorOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new ConfigurationReader(configuration));
        services.AddSingleton<MirrorOptionsSetup>();
        Add<UpstreamsOptions>(services);
        Add<Cluster.ClusterOptions>(services);
        Add<ServerOptions>(services);
        Add<StoreOptions>(services);
        Add<LogOptions>(services);
        Add<EvictionOptions>(services);
        Add<TagOptions>(services);
        Add<FrontProxyOptions>(services);
        services.AddOptions<ProofOptions>().Configure<IOptions<UpstreamsOptions>>((proofs, upstreams) => proofs.OtherRegistries = upstreams.Value.Others.Count > 0);
        services.AddSingleton<IValidateOptions<StoreOptions>, MirrorOptionsValidator>();
        services.AddSingleton<IValidateOptions<LogOptions>, MirrorOptionsValidator>();
        return services;
    }

    private static void Add<T>(IServiceCollection services)
        where T : class
    {
        services.AddSingleton<IConfigureOptions<T>>(sp => (IConfigureOptions<T>)(object)sp.GetRequiredService<MirrorOptionsSetup>());
        services.AddOptions<T>().ValidateOnStart();
    }
}
