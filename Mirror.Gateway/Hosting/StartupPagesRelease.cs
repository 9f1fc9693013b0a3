using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mirror.Gateway.Hosting;

/// <summary>
/// Once the mirror listens, the native build gives back the pages of its own executable that the start mapped in (#22):
/// the dehydrated type data it read once, and the code around every page it ran, which the kernel maps 64 KiB at a time.
/// They count in the process's resident memory until it ends, about 25 MiB of a 31 MB executable; what the mirror runs
/// afterwards comes back from the page cache on its first use (about 16 MiB through ten cold and ten warm clients,
/// bench/notes.md). Only read-only mappings of the executable with no private (copy-on-write) pages are given back, so
/// nothing is lost: <c>madvise(MADV_DONTNEED)</c> on them means "read it from the file again" (madvise(2)). The JIT build
/// (the executable is the <c>dotnet</c> host) does nothing.
/// </summary>
internal sealed partial class StartupPagesRelease(IHostApplicationLifetime lifetime, ILogger<StartupPagesRelease> logger) : IHostedService
{
    private const int MadviseDontNeed = 4;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled && Environment.ProcessPath is { } executable)
        {
            lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => Release(executable)));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The address ranges of <paramref name="executable"/>'s mappings in <paramref name="smaps"/> (the text of
    /// <c>/proc/self/smaps</c>) that are not writable and hold no anonymous page: those a <c>MADV_DONTNEED</c> loses nothing of.
    /// </summary>
    public static IReadOnlyList<(nint Start, nint Length)> ReleasableMappings(string smaps, string executable)
    {
        var releasable = new List<(nint, nint)>();
        (nint Start, nint Length)? candidate = null;
        foreach (var line in smaps.Split('\n'))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                // A mapping's header: "start-end perms offset dev inode [path]".
                var range = fields[0].Split('-');
                var start = nint.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = nint.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                candidate = fields.Length == 6 && fields[5].Trim() == executable && fields[1][1] != 'w' ? (start, end - start) : null;
            }
            else if (candidate is { } mapping && fields is ["Anonymous:", var kilobytes, ..])
            {
                if (kilobytes == "0")
                {
                    releasable.Add(mapping);
                }

                candidate = null;
            }
        }

        return releasable;
    }

    private void Release(string executable)
    {
        try
        {
            long released = 0;
            foreach (var (start, length) in ReleasableMappings(File.ReadAllText("/proc/self/smaps"), executable))
            {
                if (Madvise(start, (nuint)length, MadviseDontNeed) == 0)
                {
                    released += length;
                }
            }

            StartupLog.PagesReleased(logger, released >> 20);
        }
        catch (IOException ex)
        {
            // Without /proc the pages stay: the mirror holds more memory, nothing else changes.
            StartupLog.PagesKept(logger, ex.Message);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
