using Microsoft.Extensions.Options;
using Mirror.Cache.Registry;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The one rule that maps the repository names clients use to the upstream's: Docker Hub keeps official
/// images under <c>library/</c>, and clients may ask for <c>busybox</c> meaning <c>library/busybox</c>. The
/// mirror's own fetches and the requests YARP forwards both map names here.
/// </summary>
internal sealed class UpstreamNames(IOptions<UpstreamOptions> options)
{
    private readonly bool _dockerHub = options.Value.IsDockerHub;

    public RepositoryName ToUpstream(RepositoryName name) => _dockerHub && name.ComponentCount == 1 ? name.WithPrefix("library") : name;

    /// <summary>A <c>/v2/</c> path with its repository name mapped; other paths as they are.</summary>
    public string ToUpstream(string path)
    {
        var parsed = RegistryPath.Parse(path);
        if (parsed.Name.Length == 0 || RepositoryName.TryParse(parsed.Name) is not { } name)
        {
            return path;
        }

        var mapped = ToUpstream(name);
        return mapped == name ? path : RegistryPath.Root + mapped.Value + path[(RegistryPath.Root.Length + parsed.Name.Length)..];
    }
}
