using System.Net;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Upstream;

/// <summary>What an upstream's answer means to the cache: its status as a <see cref="SourceStatus"/>, and its error as an <see cref="UpstreamError"/>.</summary>
internal static class UpstreamAnswer
{
    /// <summary>Error bodies are read up to this: an OCI error is a few hundred bytes.</summary>
    private const int MaxErrorBytes = 64 * 1024;

    /// <summary>
    /// The meaning of the upstream's status; <see cref="SourceStatus.Invalid"/> for an answer the pipeline cut
    /// short at one of the mirror's bounds (a token realm's answer over <c>mirror.limits.tokenbytes</c>).
    /// </summary>
    public static SourceStatus StatusOf(HttpResponseMessage response) =>
        OverLimitOf(response) is not null ? SourceStatus.Invalid : StatusOf(response.StatusCode);

    public static SourceStatus StatusOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.OK or HttpStatusCode.PartialContent => SourceStatus.Found,
        HttpStatusCode.NotFound => SourceStatus.NotFound,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SourceStatus.Denied,
        HttpStatusCode.TooManyRequests => SourceStatus.TooManyRequests,
        >= HttpStatusCode.InternalServerError => SourceStatus.Unavailable,
        _ => SourceStatus.Invalid,
    };

    /// <summary>The upstream's own error code (the first of an OCI error body) and its status, as the error.</summary>
    public static async Task<UpstreamError> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        OverLimitOf(response) ?? new(await ErrorCodeAsync(response, cancellationToken), $"the upstream answered {(int)response.StatusCode} {response.ReasonPhrase}");

    /// <summary>Whether <paramref name="ex"/> says the upstream could not be asked, rather than that the caller gave up.</summary>
    public static bool IsTransportFault(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or IOException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static UpstreamError? OverLimitOf(HttpResponseMessage response) =>
        response.RequestMessage?.Options.TryGetValue(UpstreamAuthHandler.LimitExceeded, out var error) == true ? error : null;

    /// <summary>The <c>code</c> of the first error in an OCI error body, if the upstream sent one.</summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is 0 or > MaxErrorBytes)
        {
            return null;
        }

        var body = await BoundedBody.ReadAsync(response.Content, MaxErrorBytes, cancellationToken);
        return body is { Length: > 0 } ? OciErrorBody.TryRead(body)?.Code : null;
    }
}
