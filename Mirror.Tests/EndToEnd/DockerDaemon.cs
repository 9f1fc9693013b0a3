using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A real <c>dockerd</c> (with its containerd) whose only registry mirror is the mirror under test, run as
/// ../shared/TESTBED.md describes. Its proxy settings point at a closed port, so docker's fallback to
/// registry-1.docker.io fails at once: a pull that succeeds was served by the mirror.
/// </summary>
internal sealed class DockerDaemon : IDisposable
{
    private readonly ManagedProcess _process;
    private readonly string _directory;

    private DockerDaemon(ManagedProcess process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string Socket => Path.Combine(_directory, "docker.sock");

    /// <summary>The containerd that dockerd started, for <c>ctr</c>.</summary>
    public string ContainerdSocket => Path.Combine(_directory, "exec", "containerd", "containerd.sock");

    public static IDictionary<string, string?> ClosedProxy => new Dictionary<string, string?>
    {
        ["HTTP_PROXY"] = "http://127.0.0.1:9",
        ["HTTPS_PROXY"] = "http://127.0.0.1:9",
        ["NO_PROXY"] = "127.0.0.0/8,localhost",
    };

    public static async Task<DockerDaemon> StartAsync(string directory, Uri mirror)
    {
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "daemon.json");
        await File.WriteAllTextAsync(config, $$"""
            { "storage-driver": "vfs", "iptables": false, "ip-masq": false, "bridge": "none",
              "registry-mirrors": ["{{mirror}}"], "insecure-registries": ["127.0.0.0/8"],
              "data-root": "{{directory}}/root", "exec-root": "{{directory}}/exec", "pidfile": "{{directory}}/dockerd.pid",
              "hosts": ["unix://{{directory}}/docker.sock"] }
            """);
        var daemon = new DockerDaemon(ManagedProcess.Start("dockerd", ["--config-file", config], ClosedProxy), directory);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await daemon.DockerAsync("info")).Succeeded)
        {
            if (DateTime.UtcNow > deadline || daemon._process.HasExited)
            {
                throw new TimeoutException("dockerd did not start:\n" + daemon._process.Output);
            }

            await Task.Delay(250);
        }

        return daemon;
    }

    public Task<Command> DockerAsync(params string[] arguments) =>
        Command.RunAsync("docker", arguments, new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix://" + Socket });

    public Task<Command> CtrAsync(params string[] arguments) =>
        Command.RunAsync("ctr", ["--address", ContainerdSocket, "--namespace", "mirror-test", .. arguments], ClosedProxy);

    public void Dispose() => _process.Dispose();
}
