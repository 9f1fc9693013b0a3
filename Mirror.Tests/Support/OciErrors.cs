using System.Text.Json;

namespace Mirror.Tests.Support;

/// <summary>Reads the OCI error body a response carries.</summary>
internal static class OciErrors
{
    /// <summary>The first error's <c>code</c>, or <c>null</c> when the body is not the OCI error format.</summary>
    public static async Task<string?> CodeOf(HttpResponseMessage response) => CodeOf(await response.Content.ReadAsStringAsync());

    /// <summary>The first error's <c>code</c> in <paramref name="body"/>, or <c>null</c>.</summary>
    public static string? CodeOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
