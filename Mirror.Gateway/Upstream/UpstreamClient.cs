using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The cache's port to one upstream registry (<see cref="IUpstream"/>): its own requests (fills, tag checks,
/// tag lists) through that registry's pipeline, which authenticates, times and bounds them as it does its
/// token requests. Failures come back as <see cref="SourceStatus"/> values, never as exceptions.
/// </summary>
internal sealed class UpstreamClient : IUpstream
{
    /// <summary>Manifests larger than this are refused (distribution-spec: clients and registries handle at least 4 MiB).</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    private const string DigestHeader = "Docker-Content-Digest";
    private const int MaxErrorBytes = 64 * 1024;

    /// <summary>Docker Hub's pull-limit headers, which clients show their users.</summary>
    private static readonly string[] RateLimitHeaders = ["ratelimit-limit", "ratelimit-remaining", "docker-ratelimit-source"];

    private readonly MirroredRegistry _registry;
    private readonly TimeoutOptions _timeouts;
    private readonly TimeProvider _time;
    private readonly Uri _base;

    public UpstreamClient(MirroredRegistry registry, TimeProvider time)
    {
        _registry = registry;
        _timeouts = registry.Options.Timeouts;
        _time = time;
        var remote = registry.Options.RemoteUrl.ToString();
        _base = new Uri(remote.EndsWith('/') ? remote : remote + "/");
    }

    public string Name => _registry.Host;

    public TimeSpan? TagTtl => _registry.Options.TagTtl;

    public TimeSpan FirstByteTimeout => _timeouts.FirstByte;

    public async Task<UpstreamManifest> HeadManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Head, Url(repository, "manifests", reference), accept, null, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return UpstreamManifest.Failed(StatusOf(response), await ErrorOfAsync(response, cancellationToken)) with { RateLimit = RateLimitOf(response) };
            }

            var digest = response.Headers.TryGetValues(DigestHeader, out var values) ? Digest.TryParse(values.First()) : null;
            return new UpstreamManifest(SourceStatus.Found, digest, response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength, ReadOnlyMemory<byte>.Empty, null)
            {
                RateLimit = RateLimitOf(response),
            };
        }
        catch (Exception ex) when (IsTransportFault(ex, cancellationToken))
        {
            return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because(ex.Message));
        }
    }

    public async Task<UpstreamManifest> GetManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, Url(repository, "manifests", reference), accept, null, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return UpstreamManifest.Failed(StatusOf(response), await ErrorOfAsync(response, cancellationToken)) with { RateLimit = RateLimitOf(response) };
            }

            if (response.Content.Headers.ContentLength > MaxManifestBytes)
            {
                return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because($"the manifest is {response.Content.Headers.ContentLength} bytes, over the 4 MiB limit"));
            }

            using var idle = new CancellationTokenSource(_timeouts.Idle, _time);
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            var content = await BoundedBody.ReadAsync(response.Content, MaxManifestBytes, reading.Token);
            if (content is null)
            {
                return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because("the manifest is over the 4 MiB limit"));
            }

            if (response.Content.Headers.ContentLength is { } announced && announced != content.Length)
            {
                return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because($"the upstream sent {content.Length} of {announced} bytes"));
            }

            return new UpstreamManifest(SourceStatus.Found, Digest.Compute(content), response.Content.Headers.ContentType?.MediaType, content.Length, content, null)
            {
                RateLimit = RateLimitOf(response),
            };
        }
        catch (Exception ex) when (IsTransportFault(ex, cancellationToken))
        {
            return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because(ex.Message));
        }
    }

    public async Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Head, Url(repository, "blobs", digest.ToString()), null, null, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK
                ? new UpstreamBlobHead(SourceStatus.Found, response.Content.Headers.ContentLength, null)
                : new UpstreamBlobHead(StatusOf(response), null, await ErrorOfAsync(response, cancellationToken));
        }
        catch (Exception ex) when (IsTransportFault(ex, cancellationToken))
        {
            return new UpstreamBlobHead(SourceStatus.Unavailable, null, UpstreamError.Because(ex.Message));
        }
    }

    public async Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            var range = offset > 0 ? new RangeHeaderValue(offset, null) : null;
            response = await SendAsync(HttpMethod.Get, Url(repository, "blobs", digest.ToString()), null, range, cancellationToken);
            var headers = response.Content.Headers;
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return UpstreamBlob.Found(await BodyOfAsync(response, cancellationToken), 0, headers.ContentLength, response);
                case HttpStatusCode.PartialContent when headers.ContentRange is { From: { } from, Length: var total }:
                    return UpstreamBlob.Found(await BodyOfAsync(response, cancellationToken), from, total, response);
                default:
                    var failed = UpstreamBlob.Failed(StatusOf(response), await ErrorOfAsync(response, cancellationToken));
                    response.Dispose();
                    return failed;
            }
        }
        catch (Exception ex) when (IsTransportFault(ex, cancellationToken))
        {
            response?.Dispose();
            return UpstreamBlob.Failed(SourceStatus.Unavailable, UpstreamError.Because(ex.Message));
        }
    }

    /// <summary>
    /// Lists every tag, following the upstream's own <c>Link</c> pagination, within <c>mirror.limits</c>: at
    /// most <c>taglistpages</c> pages of at most <c>taglistbytes</c> together, or the list is refused whole
    /// (a part of it would pass for all of it).
    /// </summary>
    public async Task<UpstreamTagList> GetTagsAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        var limits = _registry.Options.Limits;
        var tags = new List<string>();
        var next = Url(repository, "tags", "list");
        var left = limits.TagListBytes;
        try
        {
            for (var page = 0; next is not null; page++)
            {
                if (page == limits.TagListPages)
                {
                    return new UpstreamTagList(SourceStatus.Invalid, [], limits.TagListTooLong());
                }

                using var response = await SendAsync(HttpMethod.Get, next, null, null, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return new UpstreamTagList(StatusOf(response), [], await ErrorOfAsync(response, cancellationToken));
                }

                if (await BoundedBody.ReadAsync(response.Content, left, cancellationToken) is not { } body)
                {
                    return new UpstreamTagList(SourceStatus.Invalid, [], limits.TagListTooLarge());
                }

                left -= body.Length;
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    tags.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
                }

                next = NextPage(response, next);

                // Pages on another host (or scheme) are not followed: the pipeline would send them the mirror's credentials.
                if (next is not null && (next.Scheme != _base.Scheme || !next.Authority.Equals(_base.Authority, StringComparison.OrdinalIgnoreCase)))
                {
                    next = null;
                }
            }

            return new UpstreamTagList(SourceStatus.Found, tags, null);
        }
        catch (Exception ex) when (IsTransportFault(ex, cancellationToken) || ex is JsonException)
        {
            return new UpstreamTagList(SourceStatus.Unavailable, [], UpstreamError.Because(ex.Message));
        }
    }

    /// <summary>
    /// The meaning of the upstream's status; <see cref="SourceStatus.Invalid"/> for an answer the pipeline cut
    /// short at one of the mirror's bounds (a token realm's answer over <c>mirror.limits.tokenbytes</c>).
    /// </summary>
    private static SourceStatus StatusOf(HttpResponseMessage response) =>
        OverLimitOf(response) is not null ? SourceStatus.Invalid : StatusOf(response.StatusCode);

    private static UpstreamError? OverLimitOf(HttpResponseMessage response) =>
        response.RequestMessage?.Options.TryGetValue(UpstreamAuthHandler.LimitExceeded, out var error) == true ? error : null;

    internal static SourceStatus StatusOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.OK or HttpStatusCode.PartialContent => SourceStatus.Found,
        HttpStatusCode.NotFound => SourceStatus.NotFound,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SourceStatus.Denied,
        HttpStatusCode.TooManyRequests => SourceStatus.TooManyRequests,
        >= HttpStatusCode.InternalServerError => SourceStatus.Unavailable,
        _ => SourceStatus.Invalid,
    };

    /// <summary>The rate-limit headers of <paramref name="response"/>, for clients; the allowance left is remembered for the status page.</summary>
    private KeyValuePair<string, string>[] RateLimitOf(HttpResponseMessage response)
    {
        var headers = RateLimitHeaders
            .Where(name => response.Headers.Contains(name))
            .Select(name => KeyValuePair.Create(name, string.Join(", ", response.Headers.GetValues(name))))
            .ToArray();
        if (headers.FirstOrDefault(h => h.Key == "ratelimit-remaining") is { Value: { } remaining })
        {
            _registry.SawRateLimit(remaining, _time.GetUtcNow());
        }

        return headers;
    }

    private static bool IsTransportFault(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or IOException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task<UpstreamBody> BodyOfAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        new(await response.Content.ReadAsStreamAsync(cancellationToken), _timeouts.Idle, _time);

    private Uri Url(RepositoryName repository, string endpoint, string reference) => new(_base, $"v2/{repository}/{endpoint}/{reference}");

    /// <summary>Sends a request through the upstream pipeline and returns once the response headers are in.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, string? accept, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        request.Headers.Range = range;
        return await _registry.SendAsync(request, authenticate: true, cancellationToken);
    }

    /// <summary>The upstream's own error code (the first of an OCI error body) and its status, as the error.</summary>
    private static async Task<UpstreamError> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        OverLimitOf(response) ?? new(await ErrorCodeAsync(response, cancellationToken), $"the upstream answered {(int)response.StatusCode} {response.ReasonPhrase}");

    /// <summary>The <c>code</c> of the first error in an OCI error body, if the upstream sent one.</summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is 0 or > MaxErrorBytes)
        {
            return null;
        }

        try
        {
            var body = await BoundedBody.ReadAsync(response.Content, MaxErrorBytes, cancellationToken);
            if (body is null || body.Length == 0)
            {
                return null;
            }

            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0 && errors[0].TryGetProperty("code", out var code)
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>rel="next"</c> target of a <c>Link</c> header (RFC 8288), resolved against the current page.</summary>
    private static Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link[close..].Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase))
            {
                return new Uri(current, link[(open + 1)..close]);
            }
        }

        return null;
    }
}
