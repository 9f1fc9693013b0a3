using System.Text.Json;

namespace Mirror.Cache.Protocol;

/// <summary>
/// The body of an error answer in the OCI error format (distribution-spec "error codes"):
/// <c>{"errors":[{"code":...,"message":...,"detail":...}]}</c>. The mirror writes one error, and reads the
/// first of another registry's; the HTTP status that goes with it is the gateway's.
/// </summary>
public sealed record OciErrorBody(string? Code, string? Message, string? Detail = null)
{
    /// <summary>
    /// The first error of <paramref name="json"/>; <c>null</c> when it is not an OCI error body (not JSON, no
    /// <c>errors</c> array, or an empty one). A <c>code</c> or <c>message</c> that is not a string reads as none.
    /// </summary>
    public static OciErrorBody? TryRead(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0] is { ValueKind: JsonValueKind.Object } first
                ? new OciErrorBody(StringOf(first, "code"), StringOf(first, "message"), StringOf(first, "detail"))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The body, UTF-8: <c>{"errors":[{"code":...,"message":...,"detail":...}]}</c>, without <c>detail</c> when there is none.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("code", Code);
            json.WriteString("message", Message);
            if (Detail is not null)
            {
                json.WriteString("detail", Detail);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string? StringOf(JsonElement error, string name) =>
        error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
