namespace Mirror.Gateway.Cli;

/// <summary>How the mirror's commands end, for scripts (docs/cli.md lists them).</summary>
internal static class ExitCodes
{
    /// <summary>Done as asked.</summary>
    public const int Success = 0;

    /// <summary>Could not do it: a configuration error, a store that cannot be read, an image that could not be prefetched.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong: an unknown command or option, a missing argument.</summary>
    public const int Usage = 2;

    /// <summary><c>verify</c> found stored files whose bytes do not match their names (and removed them).</summary>
    public const int Corrupt = 3;

    /// <summary><c>verify --policy</c> found stored images <c>mirror.policy</c> refuses (it removes nothing).</summary>
    public const int PolicyRefused = 4;

    /// <summary>Stopped by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
