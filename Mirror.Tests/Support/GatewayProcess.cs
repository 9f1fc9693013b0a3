namespace Mirror.Tests.Support;

/// <summary>Starts the mirror as a real process from its own build output, as an operator would run it.</summary>
internal static class GatewayProcess
{
    /// <summary><c>Mirror.Gateway/bin/&lt;configuration&gt;/net10.0/Mirror.Gateway.dll</c>, built with the same configuration as the tests.</summary>
    public static string Dll
    {
        get
        {
            var testOutput = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var framework = Path.GetFileName(testOutput);
            var configuration = Path.GetFileName(Path.GetDirectoryName(testOutput)!);
            var dll = Path.Combine(RepositoryRoot, "Mirror.Gateway", "bin", configuration, framework, "Mirror.Gateway.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Mirror.Gateway first.", dll);
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Mirror.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new DirectoryNotFoundException("Mirror.sln not found above the test output.");
        }
    }

    /// <summary>
    /// Runs one of the mirror's commands (<c>prefetch</c>, <c>ls</c>, ...) to its end: its exit code and its
    /// output, standard error's lines with standard output's, and standard output alone; a command still running after
    /// <paramref name="timeout"/> is stopped by its PID and the test fails.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string StandardOutput)> RunAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(arguments, environment);
        if (!await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(3)))
        {
            Assert.Fail($"Mirror.Gateway {string.Join(' ', arguments)} did not end:\n{process.Output}");
        }

        return (process.ExitCode, process.Output, process.StandardOutput);
    }

    public static ManagedProcess Start(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
        foreach (var proxy in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            // The mirror talks to 127.0.0.1 only in tests: no proxy from the test's environment, only a test's own.
            variables.TryAdd(proxy, null);
        }

        return ManagedProcess.Start("dotnet", [Dll, .. arguments], variables);
    }
}
