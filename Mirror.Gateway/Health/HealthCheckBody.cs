using System.Text.Json.Serialization;

namespace Mirror.Gateway.Health;

/// <summary>One health check's status and description.</summary>
internal sealed record HealthCheckBody(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("description")] string? Description);
