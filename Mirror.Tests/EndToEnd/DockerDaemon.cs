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

    /// <summary>What the daemon has logged (it logs why it left a mirror for its next endpoint).</summary>
    public string Output => _process.Output;

    public string Socket => Path.Combine(_directory, "docker.sock");

    /// <summary>The containerd that dockerd started, for <c>ctr</c>.</summary>
    public string ContainerdSocket => Path.Combine(_directory, "exec", "containerd", "containerd.sock");

    public static IDictionary<string, string?> ClosedProxy => new Dictionary<string, string?>
    {
        ["HTTP_PROXY"] = "http://127.0.0.1:9",
        ["HTTPS_PROXY"] = "http://127.0.0.1:9",
        ["NO_PROXY"] = "127.0.0.0/8,localhost",
    };

    /// <summary>
    /// Starts dockerd with <paramref name="mirror"/> as its mirror; with <paramref name="insecure"/> false,
    /// 127.0.0.0/8 is not an insecure registry, so an https mirror's certificate is really verified.
    /// </summary>
    public static async Task<DockerDaemon> StartAsync(string directory, Uri mirror, bool insecure = true)
    {
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "daemon.json");
        var insecureRegistries = insecure ? "\"127.0.0.0/8\"" : string.Empty;
        await File.WriteAllTextAsync(config, $$"""
            { "storage-driver": "vfs", "iptables": false, "ip-masq": false, "bridge": "none",
              "registry-mirrors": ["{{mirror}}"], "insecure-registries": [{{insecureRegistries}}],
              "data-root": "{{directory}}/root", "exec-root": "{{directory}}/exec", "pidfile": "{{directory}}/dockerd.pid",
              "hosts": ["unix://{{directory}}/docker.sock"] }
            """);
        var daemon = new DockerDaemon(ManagedProcess.Start("dockerd", ["--config-file", config], ClosedProxy), directory);
        try
        {
            await Eventually.TrueAsync(
                async () => (await daemon.DockerAsync("info")).Succeeded,
                "dockerd answers docker info",
                TimeSpan.FromSeconds(60),
                TimeSpan.FromMilliseconds(250),
                hopeless: () => daemon._process.HasExited ? $"it exited with {daemon._process.ExitCode}" : null,
                seen: () => $"Output:\n{daemon._process.Output}");
        }
        catch
        {
            daemon.Dispose();
            throw;
        }

        return daemon;
    }

    public Task<Command> DockerAsync(params string[] arguments) =>
        Command.RunAsync("docker", arguments, new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix://" + Socket });

    /// <summary>
    /// Runs the docker CLI with <paramref name="dockerConfig"/> as its configuration directory: the CLI sends
    /// the credentials stored there with each pull, as it does after <c>docker login</c>.
    /// </summary>
    public Task<Command> LoggedInDockerAsync(string dockerConfig, params string[] arguments) =>
        Command.RunAsync("docker", arguments, new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix://" + Socket, ["DOCKER_CONFIG"] = dockerConfig });

    /// <summary>
    /// A docker CLI configuration directory holding <paramref name="user"/>'s login for docker.io, as
    /// <c>docker login</c> stores it (which dockerd also sends to a docker.io mirror that challenges it).
    /// </summary>
    public static string LoginDirectory(string directory, string user, string password)
    {
        Directory.CreateDirectory(directory);
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));
        File.WriteAllText(Path.Combine(directory, "config.json"), System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object> { ["https://index.docker.io/v1/"] = new { auth } },
        }));
        return directory;
    }

    /// <summary>
    /// Makes dockerd trust <paramref name="caPath"/> for <paramref name="mirror"/> (and present a client
    /// certificate when given), in <c>/etc/docker/certs.d/host:port/</c>, which dockerd reads at each pull;
    /// disposing removes it.
    /// </summary>
    public static IDisposable Trust(Uri mirror, string caPath, string? clientCertificate = null, string? clientKey = null)
    {
        var directory = Path.Combine("/etc/docker/certs.d", mirror.Authority);
        Directory.CreateDirectory(directory);
        File.Copy(caPath, Path.Combine(directory, "ca.crt"), overwrite: true);
        if (clientCertificate is not null)
        {
            File.Copy(clientCertificate, Path.Combine(directory, "client.cert"), overwrite: true);
            File.Copy(clientKey!, Path.Combine(directory, "client.key"), overwrite: true);
        }

        return new Removal(directory);
    }

    public Task<Command> CtrAsync(params string[] arguments) =>
        Command.RunAsync("ctr", ["--address", ContainerdSocket, "--namespace", "mirror-test", .. arguments], ClosedProxy);

    public void Dispose() => _process.Dispose();

    private sealed class Removal(string directory) : IDisposable
    {
        public void Dispose() => Directory.Delete(directory, recursive: true);
    }
}
