using Mirror.Cache.Registry;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Transforms;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// Forwards a request under its registry's name for its repository (the host selecting the registry taken
/// off, Docker Hub's <c>library/</c> and an upstream's <c>prefix</c> put on), by the same rules as the
/// mirror's own fetches.
/// </summary>
internal sealed class UpstreamPathTransform(MirroredRegistries registries) : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (context.Path.Value is { } path && ToUpstream(path) is { } mapped)
        {
            context.Path = new PathString(mapped);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A <c>/v2/</c> path with its repository name as its registry knows it; <c>null</c> when it names no repository.</summary>
    internal string? ToUpstream(string path)
    {
        var parsed = RegistryPath.Parse(path);
        if (parsed.Name.Length == 0)
        {
            return null;
        }

        var (registry, name) = registries.Resolve(parsed.Name);
        return RepositoryName.TryParse(name) is { } repository
            ? RegistryPath.Root + registry.Names.ToUpstream(repository).Value + path[(RegistryPath.Root.Length + parsed.Name.Length)..]
            : null;
    }
}
