using Mirror.Cache.Upstream;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Watch;

/// <summary>The registries' ports (each <see cref="MirroredRegistry.Client"/>), for the cache's background work.</summary>
internal sealed class RegistryUpstreams(MirroredRegistries registries) : IUpstreams
{
    public IUpstream? Find(string? registry) => registry is null ? registries.Default.Client : registries.Find(registry) is { IsDefault: false } found ? found.Client : null;
}
