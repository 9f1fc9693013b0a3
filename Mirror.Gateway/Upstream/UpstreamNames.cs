using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The rules that map the repository names clients use to an upstream's own: Docker Hub keeps official
/// images under <c>library/</c>, and clients may ask for <c>busybox</c> meaning <c>library/busybox</c>; an
/// upstream with a <c>prefix</c> (a Harbor proxy-cache project) keeps every name under that prefix. The
/// mirror's own fetches map names here, and the catalog maps them back.
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

    /// <summary>
    /// A name clients can use for the upstream's <paramref name="name"/>: without the prefix (Docker Hub's
    /// <c>library/</c> stays, as distribution's proxy lists it); <c>null</c> when it is not under the prefix.
    /// </summary>
    public RepositoryName? ToClient(RepositoryName name)
    {
        if (_prefix is null)
        {
            return name;
        }

        return name.Value.StartsWith(_prefix + "/", StringComparison.Ordinal) ? RepositoryName.TryParse(name.Value[(_prefix.Length + 1)..]) : null;
    }
}
