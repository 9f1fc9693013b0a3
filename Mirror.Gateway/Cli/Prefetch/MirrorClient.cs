using System.Buffers;
using System.Net;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Diagnostics;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// The registry API of a running mirror, as a client pulls through it: manifests with every media type
/// accepted, blobs streamed and hashed (nothing the mirror sends is taken on trust), and whether each came
/// from its store, which the mirror says in <c>X-Cache</c>. A refusal throws <see cref="PrefetchFailedException"/>
/// with the mirror's own OCI error message.
/// </summary>
internal sealed class MirrorClient(HttpClient http, MirrorAuthentication authentication)
{
    private const int BufferSize = 256 * 1024;

    public Uri Mirror => http.BaseAddress!;

    public async Task<FetchedManifest> GetManifestAsync(ImageReference image, string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{image.RepositoryPath}/manifests/{reference}{image.Query}");
        request.Headers.TryAddWithoutValidation(HeaderNames.Accept, MediaTypes.AllManifests);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var given = Digest.TryParse(reference);
        var digest = given ?? (response.Headers.TryGetValues(RegistryHeaders.ContentDigest, out var values) ? Digest.TryParse(values.FirstOrDefault()) : null) ?? Digest.Compute(content);
        if (!digest.Matches(content))
        {
            throw new PrefetchFailedException($"the mirror's manifest {reference} does not hash to {digest}");
        }

        var mediaType = ManifestTypes.TryResolve(response.Content.Headers.ContentType?.MediaType, content)
            ?? throw new PrefetchFailedException($"the mirror's answer for {reference} is not an image manifest or index");
        return new FetchedManifest(digest, mediaType, content, IsHit(response));
    }

    /// <summary>Whether the mirror has the blob in its store (a HEAD it answers as a hit); the store is not filled by a HEAD.</summary>
    public async Task<bool> IsStoredAsync(ImageReference image, Digest digest, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{image.RepositoryPath}/blobs/{digest}{image.Query}");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return IsHit(response);
    }

    /// <summary>GETs a blob to the end, telling <paramref name="progress"/> of its bytes, and checks it hashes to its digest; whether it came from the store.</summary>
    public async Task<bool> FetchBlobAsync(ImageReference image, Digest digest, Action<long> progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{image.RepositoryPath}/blobs/{digest}{image.Query}");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var hash = digest.CreateHash();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                progress(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (Digest.FromHash(digest.Algorithm, hash.GetHashAndReset()) != digest)
        {
            throw new PrefetchFailedException($"the mirror's bytes for {digest} do not hash to it");
        }

        return IsHit(response);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new PrefetchFailedException($"cannot reach the mirror at {Mirror}: {ex.Message}");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var detail = response.StatusCode == HttpStatusCode.Unauthorized && authentication.LastProblem is { } problem
                ? problem
                : await ErrorOf(response, cancellationToken);
            throw new PrefetchFailedException($"{request.Method} {request.RequestUri!.PathAndQuery}: {(int)response.StatusCode} {detail}");
        }
    }

    /// <summary>The OCI error body's first code and message (distribution-spec: error codes), or the status's name.</summary>
    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken) =>
        OciErrorBody.TryRead(await response.Content.ReadAsByteArrayAsync(cancellationToken)) is { } error
            ? $"{error.Code}: {error.Message}"
            : response.ReasonPhrase ?? response.StatusCode.ToString();

    /// <summary>
    /// Whether the mirror answered from its store: <c>X-Cache: HIT</c>, or <c>STALE</c> (a tag served as last
    /// known while its upstream cannot be asked).
    /// </summary>
    private static bool IsHit(HttpResponseMessage response) =>
        response.Headers.TryGetValues(CacheOutcomes.Header, out var values) && values.Any(v => v.Equals("HIT", StringComparison.OrdinalIgnoreCase) || v.Equals("STALE", StringComparison.OrdinalIgnoreCase));
}
