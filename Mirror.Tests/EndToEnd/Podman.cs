namespace Mirror.Tests.EndToEnd;

/// <summary>
/// podman as a client of the mirror, run as root with vfs storage in a directory of the test's own, and a
/// registries.conf that makes the mirror the only mirror of docker.io (or another registry). Its proxy
/// settings point at a closed port, so its fallback to the registry fails at once: a pull that succeeds was
/// served by the mirror.
/// </summary>
internal static class Podman
{
    /// <param name="root">podman's own directory (storage, registries.conf).</param>
    /// <param name="mirror">Where the mirror is, as <c>host:port</c> (a location may carry a path).</param>
    /// <param name="image">What to pull, fully qualified (<c>docker.io/library/multi:latest</c>).</param>
    /// <param name="insecure">Whether the mirror is plain HTTP.</param>
    /// <param name="options">More options for <c>podman pull</c> (<c>--cert-dir</c>, <c>--authfile</c>).</param>
    public static Task<Command> PullAsync(string root, string mirror, string image, bool insecure, params string[] options) =>
        PullAsync(root, "docker.io", mirror, image, insecure, options);

    /// <summary>As above, with the mirror as a mirror of <paramref name="registry"/> (<c>registry.example:5000</c>).</summary>
    public static async Task<Command> PullAsync(string root, string registry, string mirror, string image, bool insecure, params string[] options)
    {
        Directory.CreateDirectory(root);
        var registries = Path.Combine(root, "registries.conf");
        await File.WriteAllTextAsync(registries, $"""
            unqualified-search-registries = []
            [[registry]]
            prefix = "{registry}"
            location = "{registry}"
            [[registry.mirror]]
            location = "{mirror}"
            insecure = {(insecure ? "true" : "false")}
            """);
        var environment = DockerDaemon.ClosedProxy;
        environment["CONTAINERS_REGISTRIES_CONF"] = registries;

        // podman refuses a run root longer than 50 characters.
        var run = Directory.CreateTempSubdirectory("pm");
        try
        {
            return await Command.RunAsync("podman", ["--root", Path.Combine(root, "root"), "--runroot", run.FullName, "--storage-driver", "vfs",
                "--cgroup-manager", "cgroupfs", "--events-backend", "file", "pull", .. options, image], environment);
        }
        finally
        {
            run.Delete(recursive: true);
        }
    }
}
