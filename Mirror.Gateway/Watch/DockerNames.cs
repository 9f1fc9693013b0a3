using Mirror.Cache.Protocol;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Watch;

/// <summary>
/// Reads repository names as docker writes them in image references, for <c>mirror.watch</c> and
/// <c>mirror.pin</c>: a first component that is a host names the registry (docker.io and its aliases are the
/// <c>proxy</c> section's; any other must be in <c>mirror.upstreams</c>), anything else is docker.io's, where a
/// name of one component is an official image (<c>nginx</c> is <c>library/nginx</c>, as dockerd asks for it).
/// </summary>
internal sealed class DockerNames(UpstreamsOptions upstreams)
{
    private static readonly string[] DockerHubNames = [UpstreamOptions.DockerIo, "index.docker.io", "registry-1.docker.io"];

    /// <summary>
    /// The registry of <paramref name="name"/> and the rest of the name, the official images' <c>library/</c>
    /// added; or why not (a host that is not mirrored).
    /// </summary>
    public (UpstreamOptions? Registry, string Name, string? Problem) Split(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && MirroredRegistries.IsHost(name[..slash]))
        {
            var host = name[..slash].ToLowerInvariant();
            var rest = name[(slash + 1)..];
            if (DockerHubNames.Contains(host) || host == upstreams.Default.Host)
            {
                return (upstreams.Default, Official(rest), null);
            }

            return upstreams.Others.FirstOrDefault(o => o.Host == host) is { } other
                ? (other, rest, null)
                : (null, rest, $"names {host}, which is not in {Configuration.ConfigurationKeys.Upstreams}");
        }

        return (upstreams.Default, Official(name), null);
    }

    /// <summary>The repository <paramref name="name"/> names, as the store keys it; or why not.</summary>
    public (RepositoryKey? Key, string? Problem) Repository(string name)
    {
        var (registry, rest, problem) = Split(name);
        if (registry is null)
        {
            return (null, problem);
        }

        if (RepositoryName.TryParse(rest) is not { } parsed)
        {
            return (null, "is not a repository name");
        }

        var isDefault = ReferenceEquals(registry, upstreams.Default);
        return (new RepositoryKey(isDefault ? null : registry.Host, new UpstreamNames(registry).ToUpstream(parsed)), null);
    }

    /// <summary>How <see cref="RepositoryKey.ToString"/> writes a repository of <paramref name="registry"/> whose upstream name is <paramref name="name"/>.</summary>
    public string Keyed(UpstreamOptions registry, string name) =>
        ReferenceEquals(registry, upstreams.Default) ? name : $"{registry.Host}/{name}";

    /// <summary>
    /// The names of <paramref name="upstreams"/>; <c>null</c> when the upstreams' own options fail, which they
    /// report themselves (one line, not one per options that read them).
    /// </summary>
    public static DockerNames? Of(Microsoft.Extensions.Options.IOptions<UpstreamsOptions> upstreams)
    {
        try
        {
            return new DockerNames(upstreams.Value);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException)
        {
            return null;
        }
    }

    private static string Official(string name) => name.Contains('/', StringComparison.Ordinal) ? name : "library/" + name;
}
