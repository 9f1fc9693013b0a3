using Microsoft.Extensions.Options;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The registries the mirror mirrors, by the host clients name them by, and the one rule that reads a
/// repository name the mirror was asked for: <c>ghcr.io/owner/app</c> is <c>owner/app</c> on ghcr.io when
/// ghcr.io is configured, and any other name is the default upstream's (docker.io). Requests are put in that
/// form before routing (<c>UpstreamSelectionMiddleware</c>), so authorization, the endpoints, the cache and the
/// logs all read one name.
/// </summary>
internal sealed class MirroredRegistries : IDisposable
{
    /// <summary>The query parameter containerd names the registry by on every request to a mirror.</summary>
    public const string NamespaceParameter = "ns";

    /// <summary>The names Docker Hub goes by in image references and containerd's <c>ns</c>.</summary>
    private static readonly string[] DockerHubNames = [UpstreamOptions.DockerIo, "index.docker.io", "registry-1.docker.io"];

    private readonly Dictionary<string, MirroredRegistry> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, MirroredRegistry> _byForwarderCluster = new(StringComparer.Ordinal);

    public MirroredRegistries(IOptions<UpstreamsOptions> options, GatewayMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        Default = new MirroredRegistry(options.Value.Default, isDefault: true, metrics, time, loggers);
        All = [Default, .. options.Value.Others.Select(o => new MirroredRegistry(o, isDefault: false, metrics, time, loggers))];
        foreach (var name in DockerHubNames.Append(Default.Options.RemoteUrl.Authority))
        {
            _byHost[name] = Default;
        }

        foreach (var registry in All)
        {
            _byHost[registry.Host] = registry;
            _byForwarderCluster[registry.Options.ForwarderClusterId] = registry;
        }
    }

    /// <summary>The <c>proxy</c> section's upstream: docker.io, asked when a request names no registry.</summary>
    public MirroredRegistry Default { get; }

    public IReadOnlyList<MirroredRegistry> All { get; }

    /// <summary>Whether <c>mirror.upstreams</c> names any registry besides the default.</summary>
    public bool HasOthers => All.Count > 1;

    /// <summary>The registry clients call <paramref name="host"/>; <c>null</c> when the mirror does not mirror it.</summary>
    public MirroredRegistry? Find(string host) => _byHost.GetValueOrDefault(host);

    /// <summary>The registry whose YARP cluster is <paramref name="clusterId"/> (<see cref="UpstreamOptions.ForwarderClusterId"/>).</summary>
    public MirroredRegistry ByForwarderCluster(string clusterId) => _byForwarderCluster[clusterId];

    /// <summary>
    /// The registry a repository name the mirror was asked for belongs to, and the name on it: a first
    /// component that is a configured registry's host selects it, and anything else is the default's.
    /// </summary>
    public (MirroredRegistry Registry, string Name) Resolve(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && Find(name[..slash]) is { IsDefault: false } registry
            ? (registry, name[(slash + 1)..])
            : (Default, name);
    }

    /// <summary>Whether <paramref name="component"/>, a name's first, names a registry rather than a Docker Hub namespace (which has no dot or colon).</summary>
    public static bool IsHost(string component) =>
        component.Contains('.', StringComparison.Ordinal) || component.Contains(':', StringComparison.Ordinal) || component.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        foreach (var registry in All)
        {
            registry.Dispose();
        }
    }
}
