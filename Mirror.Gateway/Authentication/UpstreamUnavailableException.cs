namespace Mirror.Gateway.Authentication;

/// <summary>
/// Thrown by checks that need the upstream's answer when it cannot be had, so that no verdict is remembered
/// from it; turned into a 503 for the client.
/// </summary>
internal sealed class UpstreamUnavailableException(string message) : Exception(message);
