namespace Mirror.Gateway.Hosting;

/// <summary>What serving is started with: .NET configuration switches (<c>--Key=value</c>) and distribution's configuration file, if any.</summary>
internal sealed record ServeArguments(string[] Switches, string? ConfigurationFile);
