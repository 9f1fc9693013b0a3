namespace Mirror.Gateway.Upstream;

/// <summary>
/// Every upstream the mirror may reach: docker.io from the <c>proxy</c> section, and the registries of
/// <c>mirror.upstreams</c>, each under the host clients name it by. No other host is ever asked.
/// </summary>
internal sealed class UpstreamsOptions
{
    /// <summary>The <c>proxy</c> section's upstream, asked when a request names no registry.</summary>
    public UpstreamOptions Default { get; set; } = new();

    /// <summary>The upstreams of <c>mirror.upstreams</c>, in the file's order.</summary>
    public IReadOnlyList<UpstreamOptions> Others { get; set; } = [];

    public IEnumerable<UpstreamOptions> All => [Default, .. Others];
}
