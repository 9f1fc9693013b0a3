namespace Mirror.Gateway.Upstream;

/// <summary>A bearer token from a token realm and the time it stops being used.</summary>
internal sealed record UpstreamToken(string Value, DateTimeOffset ExpiresAt);
