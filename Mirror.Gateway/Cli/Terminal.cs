using Spectre.Console;

namespace Mirror.Gateway.Cli;

/// <summary>
/// Standard output for the commands (Spectre.Console): live progress and colour on a terminal; plain lines,
/// never wrapped, when the output is a file or a pipe.
/// </summary>
internal static class Terminal
{
    /// <summary>Wide enough that no line a command prints is wrapped when the output is not a terminal.</summary>
    private const int PlainWidth = 512;

    /// <summary>
    /// The console; <paramref name="unwrapped"/>: lines are never wrapped by Spectre, even on a terminal (a
    /// listing of digests reads better wrapped by the terminal, as <c>docker images</c> is, than squeezed into
    /// columns a few characters wide).
    /// </summary>
    public static IAnsiConsole Create(bool unwrapped = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (unwrapped || !IsInteractive(console))
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }

    /// <summary>Whether the output is a terminal a person watches (not redirected, not a CI log): live progress is drawn there.</summary>
    public static bool IsInteractive(IAnsiConsole console) => console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
}
