using System.Text.Json.Serialization;

namespace Mirror.Gateway.Health;

/// <summary>The health endpoints' answer: the overall status and each check's.</summary>
internal sealed record HealthBody(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] Dictionary<string, HealthCheckBody> Checks);
