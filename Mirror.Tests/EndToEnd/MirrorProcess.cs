using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>The mirror as a real process from its build output, with a distribution-style YAML config.</summary>
internal sealed class MirrorProcess : IDisposable
{
    private readonly ManagedProcess _process;

    private MirrorProcess(ManagedProcess process, Uri url, string store)
    {
        _process = process;
        Url = url;
        Store = store;
    }

    public Uri Url { get; }

    public string Store { get; }

    public string Output => _process.Output;

    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended (a test killed it, say).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Writes <c>config.yml</c> under <paramref name="directory"/> and starts the mirror on it;
    /// <paramref name="proxyYaml"/> adds keys to the <c>proxy</c> section, <paramref name="httpYaml"/> to the
    /// <c>http</c> section (a <c>tls:</c> key there makes the mirror's URL https), <paramref name="extraYaml"/> whole
    /// sections; <paramref name="environment"/> is added to the process's (<c>HTTP_PROXY</c>, ...);
    /// <paramref name="storageYaml"/> replaces the <c>storage</c> section's <c>filesystem</c> (with <c>storage.s3</c>,
    /// <paramref name="extraYaml"/> gives <c>mirror.localdirectory</c>).
    /// </summary>
    public static async Task<MirrorProcess> StartAsync(
        string directory,
        Uri upstream,
        string? proxyYaml = null,
        string? extraYaml = null,
        int? port = null,
        string? store = null,
        string? httpYaml = null,
        IDictionary<string, string?>? environment = null,
        string? storageYaml = null)
    {
        Directory.CreateDirectory(directory);
        var address = $"127.0.0.1:{port ?? FreePort.Next()}";
        store ??= Path.Combine(directory, "store");
        var file = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(file, $"""
            version: 0.1
            log:
              level: info
            http:
              addr: "{address}"
            {Indent(httpYaml)}
            storage:
            {Indent(storageYaml ?? $"filesystem:\n  rootdirectory: {store}")}
            proxy:
              remoteurl: {upstream}
            {Indent(proxyYaml)}
            {extraYaml}
            """);
        var process = GatewayProcess.Start([file], environment);
        await process.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(60));
        var scheme = httpYaml?.Contains("tls:", StringComparison.Ordinal) == true ? "https" : "http";
        return new MirrorProcess(process, new Uri($"{scheme}://{address}"), store);
    }

    public static string Credentials(string user, string password) => $"username: {user}\npassword: {password}";

    private static string Indent(string? yaml) => yaml is null ? string.Empty : string.Join('\n', yaml.Split('\n').Select(line => "  " + line));

    /// <summary>Kills the mirror with SIGKILL, as a crash would.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
