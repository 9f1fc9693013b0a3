namespace Mirror.Tests.EndToEnd;

/// <summary>A containerd hosts directory (<c>ctr --hosts-dir</c>): <c>&lt;registry&gt;/hosts.toml</c> naming the mirror as a host to pull from.</summary>
internal static class ContainerdHosts
{
    /// <summary>
    /// Writes <c>hosts.toml</c> for <paramref name="registry"/> (upstream <paramref name="server"/>) under
    /// <paramref name="directory"/>, sending pulls to <paramref name="mirror"/>; <paramref name="hostToml"/>
    /// adds keys to the mirror's host section (<c>ca</c>, <c>client</c>). Returns the directory.
    /// </summary>
    public static async Task<string> WriteAsync(string directory, Uri mirror, string hostToml = "", string registry = "docker.io", string server = "https://registry-1.docker.io")
    {
        Directory.CreateDirectory(Path.Combine(directory, registry));
        await File.WriteAllTextAsync(Path.Combine(directory, registry, "hosts.toml"), $"""
            server = "{server}"
            [host."{mirror.ToString().TrimEnd('/')}"]
              capabilities = ["pull", "resolve"]
            {hostToml}
            """);
        return directory;
    }
}
