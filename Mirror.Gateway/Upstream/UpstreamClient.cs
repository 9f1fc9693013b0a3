using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Referrers;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Registry;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

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
                return await RefusedAsync(response, cancellationToken);
            }

            var digest = response.Headers.TryGetValues(RegistryHeaders.ContentDigest, out var values) ? Digest.TryParse(values.First()) : null;
            return new UpstreamManifest(SourceStatus.Found, digest, response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength, ReadOnlyMemory<byte>.Empty, null)
            {
                RateLimit = RateLimitOf(response),
            };
        }
        catch (Exception ex) when (UpstreamAnswer.IsTransportFault(ex, cancellationToken))
        {
            return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because(ex.Message));
        }
    }

    public async Task<UpstreamManifest> GetManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, Url(repository, "manifests", reference), accept, null, cancellationToken);
            return await ManifestOfAsync(response, MaxManifestBytes, cancellationToken);
        }
        catch (Exception ex) when (UpstreamAnswer.IsTransportFault(ex, cancellationToken))
        {
            return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because(ex.Message));
        }
    }

    /// <summary>
    /// The referrers API (distribution-spec 1.1), its <c>Link</c> pages followed as a tag list's are (at most
    /// <c>mirror.limits.taglistpages</c>, 4 MiB together) and merged into one index.
    /// </summary>
    public async Task<UpstreamManifest> GetReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken)
    {
        var pages = new List<byte[]>();
        var next = Url(repository, "referrers", subject.ToString());
        try
        {
            while (next is not null)
            {
                if (pages.Count == _registry.Options.Limits.TagListPages)
                {
                    return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because($"the referrers of {subject} run over {pages.Count} pages"));
                }

                using var response = await SendAsync(HttpMethod.Get, next, MediaTypes.OciIndex, null, cancellationToken);
                var page = await ManifestOfAsync(response, MaxManifestBytes - pages.Sum(p => p.Length), cancellationToken);
                if (page.Status != SourceStatus.Found)
                {
                    return page;
                }

                pages.Add(page.Content.ToArray());
                next = TagListPages.Next(response, next, _base);
            }
        }
        catch (Exception ex) when (UpstreamAnswer.IsTransportFault(ex, cancellationToken))
        {
            return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because(ex.Message));
        }

        return ReferrersIndex.Merge(pages) is { } index
            ? new UpstreamManifest(SourceStatus.Found, Digest.Compute(index), MediaTypes.OciIndex, index.Length, index, null)
            : UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because("the upstream's referrers answer is not an OCI image index"));
    }

    /// <summary>A manifest (or referrers index) response's bytes, at most <paramref name="limit"/>, and their digest; or why not.</summary>
    private async Task<UpstreamManifest> ManifestOfAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return await RefusedAsync(response, cancellationToken);
        }

        if (response.Content.Headers.ContentLength > limit)
        {
            return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because($"the manifest is {response.Content.Headers.ContentLength} bytes, over the 4 MiB limit")) with { RateLimit = RateLimitOf(response), Answered = true };
        }

        using var idle = new CancellationTokenSource(_timeouts.Idle, _time);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var content = await BoundedBody.ReadAsync(response.Content, limit, reading.Token);
        if (content is null)
        {
            return UpstreamManifest.Failed(SourceStatus.Invalid, UpstreamError.Because("the manifest is over the 4 MiB limit")) with { RateLimit = RateLimitOf(response), Answered = true };
        }

        if (response.Content.Headers.ContentLength is { } announced && announced != content.Length)
        {
            return UpstreamManifest.Failed(SourceStatus.Unavailable, UpstreamError.Because($"the upstream sent {content.Length} of {announced} bytes")) with { RateLimit = RateLimitOf(response), Answered = true };
        }

        return new UpstreamManifest(SourceStatus.Found, Digest.Compute(content), response.Content.Headers.ContentType?.MediaType, content.Length, content, null)
        {
            RateLimit = RateLimitOf(response),
            Answered = true,
        };
    }

    public async Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Head, Url(repository, "blobs", digest.ToString()), null, null, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK
                ? new UpstreamBlobHead(SourceStatus.Found, response.Content.Headers.ContentLength, null)
                : new UpstreamBlobHead(UpstreamAnswer.StatusOf(response), null, await UpstreamAnswer.ErrorOfAsync(response, cancellationToken));
        }
        catch (Exception ex) when (UpstreamAnswer.IsTransportFault(ex, cancellationToken))
        {
            return new UpstreamBlobHead(SourceStatus.Unavailable, null, UpstreamError.Because(ex.Message));
        }
    }

    public Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken) =>
        OpenAsync(repository, digest, offset > 0 ? new RangeHeaderValue(offset, null) : null, cancellationToken);

    public Task<UpstreamBlob> OpenBlobRangeAsync(RepositoryName repository, Digest digest, long start, long last, CancellationToken cancellationToken) =>
        OpenAsync(repository, digest, new RangeHeaderValue(start, last), cancellationToken);

    private async Task<UpstreamBlob> OpenAsync(RepositoryName repository, Digest digest, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(HttpMethod.Get, Url(repository, "blobs", digest.ToString()), null, range, cancellationToken);
            var headers = response.Content.Headers;
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return UpstreamBlob.Found(await BodyOfAsync(response, cancellationToken), 0, headers.ContentLength, response);
                case HttpStatusCode.PartialContent when headers.ContentRange is { From: { } from, Length: var total }:
                    return UpstreamBlob.Found(await BodyOfAsync(response, cancellationToken), from, total, response);
                default:
                    var failed = UpstreamBlob.Failed(UpstreamAnswer.StatusOf(response), await UpstreamAnswer.ErrorOfAsync(response, cancellationToken));
                    response.Dispose();
                    return failed;
            }
        }
        catch (Exception ex) when (UpstreamAnswer.IsTransportFault(ex, cancellationToken))
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
                    return new UpstreamTagList(UpstreamAnswer.StatusOf(response), [], await UpstreamAnswer.ErrorOfAsync(response, cancellationToken));
                }

                if (await BoundedBody.ReadAsync(response.Content, left, cancellationToken) is not { } body)
                {
                    return new UpstreamTagList(SourceStatus.Invalid, [], limits.TagListTooLarge());
                }

                left -= body.Length;
                tags.AddRange(TagsOf(body));
                next = TagListPages.Next(response, next, _base);
            }

            return new UpstreamTagList(SourceStatus.Found, tags, null);
        }
        catch (Exception ex) when (UpstreamAnswer.IsTransportFault(ex, cancellationToken) || ex is JsonException)
        {
            return new UpstreamTagList(SourceStatus.Unavailable, [], UpstreamError.Because(ex.Message));
        }
    }

    /// <summary>The rate-limit headers of <paramref name="response"/>: for clients, and for the pull quota (<c>Mirror.Cache.Quota</c>).</summary>
    private static KeyValuePair<string, string>[] RateLimitOf(HttpResponseMessage response) =>
        RegistryHeaders.RateLimit
            .Where(name => response.Headers.Contains(name))
            .Select(name => KeyValuePair.Create(name, string.Join(", ", response.Headers.GetValues(name))))
            .ToArray();

    /// <summary>A manifest answer other than 200: its status, error, rate-limit headers and <c>Retry-After</c> as sent.</summary>
    private static async Task<UpstreamManifest> RefusedAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        UpstreamManifest.Failed(UpstreamAnswer.StatusOf(response), await UpstreamAnswer.ErrorOfAsync(response, cancellationToken)) with
        {
            RateLimit = RateLimitOf(response),
            RetryAfterHeader = response.Headers.TryGetValues(HeaderNames.RetryAfter, out var retryAfter) ? retryAfter.FirstOrDefault() : null,
        };

    private async Task<UpstreamBody> BodyOfAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        new(await response.Content.ReadAsStreamAsync(cancellationToken), _timeouts.Idle, _time);

    private Uri Url(RepositoryName repository, string endpoint, string reference) => new(_base, $"v2/{repository}/{endpoint}/{reference}");

    /// <summary>Sends a request through the upstream pipeline and returns once the response headers are in.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, string? accept, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation(HeaderNames.Accept, accept);
        }

        request.Headers.Range = range;
        return await _registry.SendAsync(request, authenticate: true, cancellationToken);
    }

    /// <summary>The tags of one page of a tag list (<c>{"name":...,"tags":[...]}</c>).</summary>
    private static List<string> TagsOf(byte[] page)
    {
        using var json = JsonDocument.Parse(page);
        return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null).OfType<string>().ToList()
            : [];
    }
}
