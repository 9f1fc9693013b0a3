namespace Mirror.Gateway.Hosting;

/// <summary>
/// The command line, as distribution's: <c>Mirror.Gateway [serve] [config.yml] [--Key=value ...]</c>. The
/// switches are ordinary .NET configuration (and how WebApplicationFactory passes its settings).
/// </summary>
internal sealed record CommandLine(string[] Switches, string? ConfigurationFile)
{
    public const string Usage = "usage: Mirror.Gateway [serve] [config.yml] [--Key=value ...]";

    /// <summary>The command line's parts, or <c>null</c> when it is not one the mirror takes.</summary>
    public static CommandLine? TryParse(string[] args)
    {
        var switches = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var arguments = args.Except(switches).SkipWhile(a => a == "serve").ToArray();
        return arguments.Length > 1 ? null : new CommandLine(switches, arguments.FirstOrDefault());
    }
}
