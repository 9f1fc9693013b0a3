using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Registry;

/// <summary>
/// An error answer in the OCI error format (distribution-spec "error codes"):
/// <c>{"errors":[{"code":...,"message":...,"detail":...}]}</c>. Docker falls back to its next registry on any
/// such answer, containerd on any status above 399, so a clear error never strands a client.
/// </summary>
internal sealed record OciError(int Status, string Code, string Message, string? Detail = null)
{
    public static OciError NameInvalid(string detail) => new(StatusCodes.Status400BadRequest, OciErrorCode.NameInvalid, "invalid repository name", detail);

    public static OciError DigestInvalid(string detail) => new(StatusCodes.Status400BadRequest, OciErrorCode.DigestInvalid, "provided digest did not match uploaded content", detail);

    /// <summary>distribution's answer to a request without acceptable credentials, beside a <c>WWW-Authenticate</c> challenge.</summary>
    public static OciError Unauthorized(string? detail = null) => new(StatusCodes.Status401Unauthorized, OciErrorCode.Unauthorized, "authentication required", detail);

    public static OciError Denied(string detail) => new(StatusCodes.Status403Forbidden, OciErrorCode.Denied, "requested access to the resource is denied", detail);

    public static OciError Unsupported(string method) =>
        new(StatusCodes.Status405MethodNotAllowed, OciErrorCode.Unsupported, "the operation is unsupported", $"{method}: this mirror is a read-only pull-through cache");

    /// <summary>
    /// The client's answer when the upstream would not give the mirror what it asked for; an answer over one of
    /// the mirror's bounds is a 502 whose detail names the bound's key.
    /// </summary>
    public static OciError FromUpstream(SourceStatus status, string unknownCode, UpstreamError? error) => status switch
    {
        _ when error?.Limit is not null => OverLimit(error.Message!),
        SourceStatus.NotFound => NotFound(error?.Code == OciErrorCode.NameUnknown ? OciErrorCode.NameUnknown : unknownCode),
        SourceStatus.Denied => new(StatusCodes.Status403Forbidden, OciErrorCode.Denied, "requested access to the resource is denied", "the upstream refused the mirror's credentials for this repository"),
        SourceStatus.TooManyRequests => new(StatusCodes.Status429TooManyRequests, OciErrorCode.TooManyRequests, "too many requests", error?.Message ?? "the upstream's rate limit was reached"),
        SourceStatus.Invalid => new(StatusCodes.Status502BadGateway, unknownCode == OciErrorCode.BlobUnknown ? OciErrorCode.BlobUnknown : OciErrorCode.ManifestInvalid, "the upstream's answer was not usable", error?.Message),
        _ => new(StatusCodes.Status503ServiceUnavailable, OciErrorCode.Unavailable, "the upstream registry is unavailable", error?.Message),
    };

    /// <summary>An upstream answer larger than the mirror reads (<c>mirror.limits</c>); <paramref name="detail"/> names the key.</summary>
    public static OciError OverLimit(string detail) =>
        new(StatusCodes.Status502BadGateway, OciErrorCode.SizeInvalid, "the upstream's answer is larger than the mirror accepts", detail);

    public static OciError NotFound(string code, string? detail = null) => new(StatusCodes.Status404NotFound, code, code switch
    {
        OciErrorCode.BlobUnknown => "blob unknown to registry",
        OciErrorCode.NameUnknown => "repository name not known to registry",
        OciErrorCode.BlobUploadUnknown => "blob upload unknown to registry",
        OciErrorCode.ManifestUnknown => "manifest unknown",
        _ => "not found",
    }, detail);

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = MediaTypes.Json;

        // On every answer, as distribution sends it: docker's ping reads it from a 401 as much as from a 200.
        response.Headers[RegistryHeaders.ApiVersion] = RegistryHeaders.ApiVersionValue;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        var body = ToJson();
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>The error's body: <c>{"errors":[{"code":...,"message":...,"detail":...}]}</c>.</summary>
    public byte[] ToJson() => new OciErrorBody(Code, Message, Detail).ToJson();

    /// <summary>Echoes client input in an error detail without control characters, and not at length.</summary>
    public static string Printable(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? '?' : c).Take(300).ToArray());
        return clean.Length < text.Length ? clean + "..." : clean;
    }
}
