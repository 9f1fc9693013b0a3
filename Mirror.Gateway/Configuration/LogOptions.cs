namespace Mirror.Gateway.Configuration;

/// <summary>Distribution's <c>log</c> section; the level itself is applied through .NET's <c>Logging</c> configuration.</summary>
internal sealed class LogOptions
{
    /// <summary>The least severe level logged (<c>log.level</c>): error, warn, info or debug; default info.</summary>
    public string Level { get; set; } = "info";
}
