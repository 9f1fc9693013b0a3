namespace Mirror.Gateway.Status;

/// <summary>Where the status page and its facts are served, on the main and the debug address.</summary>
internal static class StatusPaths
{
    public const string Page = "/";
    public const string Json = "/status.json";
}
