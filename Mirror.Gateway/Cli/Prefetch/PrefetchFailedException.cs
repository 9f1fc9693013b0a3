namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>The mirror refused or broke off a request of a prefetch; the image's prefetch ends with this message.</summary>
internal sealed class PrefetchFailedException(string message) : Exception(message);
