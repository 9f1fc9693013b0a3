using System.Diagnostics;

namespace Mirror.Tests.EndToEnd;

/// <summary>A command run to completion (docker, podman, ctr), with its output and exit code.</summary>
internal sealed record Command(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public static async Task<Command> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Command(-1, $"timed out: {fileName} {string.Join(' ', arguments)}\n{await stdout}{await stderr}");
        }

        return new Command(process.ExitCode, (await stdout) + (await stderr));
    }

    public override string ToString() => $"exit {ExitCode}: {Output}";
}
