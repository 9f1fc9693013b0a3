namespace Mirror.Gateway.Listening;

/// <summary>Where and how the mirror listens (distribution's <c>http</c> section, and <c>mirror.limits</c>).</summary>
internal sealed class ServerOptions
{
    /// <summary>The listen address (<c>http.addr</c>): <c>host:port</c>, or <c>:port</c> for every interface; default <c>:5000</c>.</summary>
    public ListenAddress Address { get; set; } = new(null, 5000);

    /// <summary>
    /// A second listen address for metrics, health and the status page (<c>http.debug.addr</c>), as distribution's
    /// debug server, without credentials; default none (they are served on <see cref="Address"/> in any case).
    /// Always plain HTTP.
    /// </summary>
    public ListenAddress? DebugAddress { get; set; }

    /// <summary>Whether Prometheus metrics are served (<c>http.debug.prometheus.enabled</c>); default true.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>The Prometheus scrape path (<c>http.debug.prometheus.path</c>); default <c>/metrics</c>.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>Headers added to every response (<c>http.headers</c>: a name and a list of values); default none.</summary>
    public IReadOnlyDictionary<string, string[]> Headers { get; set; } = new Dictionary<string, string[]>();

    /// <summary>Whether HTTP/2 is offered by ALPN on the TLS listener (<c>http.http2.disabled</c> turns it off); default true.</summary>
    public bool Http2 { get; set; } = true;

    /// <summary>Connections open at once, past which new ones wait in the kernel's backlog (<c>mirror.limits.maxconnections</c>); default 10000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// How long a client may take to send a request's headers (<c>mirror.limits.headertimeout</c>); default 10 s.
    /// Registry clients send a few hundred bytes at once; a slow trickle is a client holding a connection open.
    /// </summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The rate, in bytes a second, below which a blob's response is aborted (<c>mirror.limits.minresponserate</c>);
    /// default 16 KiB; 0 turns the watch off. A client that stops reading would otherwise hold its connection and
    /// the file it reads (against eviction) for as long as Kestrel's own, far looser, rate allows.
    /// </summary>
    public long MinResponseRate { get; set; } = 16 * 1024;

    /// <summary>
    /// How long a response may fall behind <see cref="MinResponseRate"/> before it is aborted, and so how much it
    /// may bank by being fast (<c>mirror.limits.minresponsegrace</c>); default 30 s.
    /// </summary>
    public TimeSpan MinResponseGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most ranges one request's <c>Range</c> may ask for and be answered <c>multipart/byteranges</c>
    /// (<c>mirror.limits.maxranges</c>); default 64. Above it the whole blob is sent (<c>200</c>), as RFC 9110
    /// 14.2 allows: podman's <c>zstd:chunked</c> partial pulls ask for many chunks at once, and each range costs
    /// a part header and, on a filling blob, possibly an upstream request.
    /// </summary>
    public int MaxRanges { get; set; } = 64;
}
