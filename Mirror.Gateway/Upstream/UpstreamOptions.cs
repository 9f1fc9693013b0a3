namespace Mirror.Gateway.Upstream;

/// <summary>The upstream registry and how to reach it (distribution's <c>proxy</c> section).</summary>
internal sealed class UpstreamOptions
{
    public static readonly Uri DockerHub = new("https://registry-1.docker.io");

    private static readonly HashSet<string> DockerHubHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "registry-1.docker.io", "index.docker.io", "docker.io", "registry.hub.docker.com",
    };

    /// <summary>The upstream's base URL (<c>proxy.remoteurl</c>); default <c>https://registry-1.docker.io</c>.</summary>
    public Uri RemoteUrl { get; set; } = DockerHub;

    /// <summary>The user the mirror authenticates as (<c>proxy.username</c>); default none, anonymous.</summary>
    public string? Username { get; set; }

    /// <summary>That user's password or access token (<c>proxy.password</c>).</summary>
    public string? Password { get; set; }

    public bool HasCredentials => !string.IsNullOrEmpty(Username);

    /// <summary>Docker Hub keeps official images under <c>library/</c>; clients may ask for them without it.</summary>
    public bool IsDockerHub => DockerHubHosts.Contains(RemoteUrl.Host);

    /// <summary>The registry host clients name in image references for this upstream (<c>docker.io</c> for Docker Hub).</summary>
    public string Host => IsDockerHub ? "docker.io" : RemoteUrl.Authority;
}
