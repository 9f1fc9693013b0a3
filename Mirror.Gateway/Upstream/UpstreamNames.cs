using Mirror.Cache.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The rules that map the repository names clients use to an upstream's own: Docker Hub keeps official
/// images under <c>library/</c>, and clients may ask for <c>busybox</c> meaning <c>library/busybox</c>; an
/// upstream with a <c>prefix</c> (a Harbor proxy-cache project) keeps every name under that prefix. The
/// mirror's own fetches and the requests YARP forwards both map names here.
/// </summary>
internal sealed class UpstreamNames(UpstreamOptions options)
{
    private readonly bool _dockerHub = options.IsDockerHub;
    private readonly string? _prefix = options.Prefix;

    public RepositoryName ToUpstream(RepositoryName name)
    {
        var mapped = _dockerHub && name.ComponentCount == 1 ? name.WithPrefix("library") : name;
        return _prefix is null ? mapped : mapped.WithPrefix(_prefix);
    }
}
