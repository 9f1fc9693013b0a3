namespace Mirror.Gateway.Configuration;

/// <summary>Where the mirror listens (distribution's <c>http</c> section).</summary>
internal sealed class ServerOptions
{
    /// <summary>The listen address (<c>http.addr</c>): <c>host:port</c>, or <c>:port</c> for every interface; default <c>:5000</c>.</summary>
    public ListenAddress Address { get; set; } = new(null, 5000);

    /// <summary>
    /// A second listen address for metrics and health only (<c>http.debug.addr</c>), as distribution's debug
    /// server; default none (they are served on <see cref="Address"/> in any case).
    /// </summary>
    public ListenAddress? DebugAddress { get; set; }

    /// <summary>The Prometheus scrape path (<c>http.debug.prometheus.path</c>); default <c>/metrics</c>.</summary>
    public string MetricsPath { get; set; } = "/metrics";
}
