using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mirror.Tests.Support;

/// <summary>
/// A process a test started: its output is kept, and disposing it stops it by its PID (the whole process
/// group, for programs that start their own children) and waits for it to exit.
/// </summary>
internal sealed class ManagedProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _standardOutput = new();

    private ManagedProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join('\n', _output);

    /// <summary>Standard output's lines alone (<see cref="Output"/> has standard error's too).</summary>
    public string StandardOutput => string.Join('\n', _standardOutput);

    public string Name { get; private init; } = string.Empty;

    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        // setsid puts the program in a process group of its own, so Dispose can stop it and its children.
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var managed = new ManagedProcess(process) { Name = Path.GetFileName(fileName) };
        process.OutputDataReceived += (_, e) =>
        {
            managed.Add(e.Data);
            if (e.Data is not null)
            {
                managed._standardOutput.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => managed.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Waits for the process to exit by itself; false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until a line of output contains <paramref name="text"/>; fails at once when the process exits first.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        Eventually.TrueAsync(
            () => Output.Contains(text, StringComparison.Ordinal),
            $"{Name} (pid {Id}) prints '{text}'",
            timeout,
            TimeSpan.FromMilliseconds(50),
            hopeless: () => HasExited ? $"it exited with {ExitCode}" : null,
            seen: () => $"Output:\n{Output}");

    /// <summary>Sends SIGKILL to the process group at once, as a crash or the OOM killer would.</summary>
    public void Kill()
    {
        Signal("KILL");
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal("TERM");
            if (!_process.WaitForExit(10_000))
            {
                Signal("KILL");
                _process.WaitForExit(10_000);
            }
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        try
        {
            // The process is its group's leader (setsid), so -PID names the group.
            using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} -- -{_process.Id}") { UseShellExecute = false, RedirectStandardError = true });
            kill?.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
