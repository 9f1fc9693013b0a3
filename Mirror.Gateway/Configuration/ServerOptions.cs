namespace Mirror.Gateway.Configuration;

/// <summary>Where the mirror listens (distribution's <c>http</c> section).</summary>
internal sealed class ServerOptions
{
    /// <summary>The listen address (<c>http.addr</c>): <c>host:port</c>, or <c>:port</c> for every interface; default <c>:5000</c>.</summary>
    public ListenAddress Address { get; set; } = new(null, 5000);
}
