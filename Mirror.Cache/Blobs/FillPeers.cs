using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Mirror.Cache.Buckets;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>
/// The fills of a cluster on a bucket, between nodes: a follower asks the filling node (the address its lease
/// names) for the fill's bytes from a position on, over HTTP, signed with the shared secret
/// (<see cref="NodeSignature"/>), and the filling node answers from its fill as the bytes arrive (the host's
/// endpoint at <see cref="FillPeerOptions.Path"/>). Each node's local directory is its own, so nothing crosses nodes by path.
/// Without a bucket (the nodes share the store's directory) <see cref="Streams"/> is false and followers read
/// the filler's temp file there, as before.
/// </summary>
internal sealed class FillPeers : IDisposable
{
    private readonly FillPeerOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;

    public FillPeers(IOptions<FillPeerOptions> options, IContentBucket bucket, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        Streams = bucket.IsEnabled && _options.Address is not null && !string.IsNullOrEmpty(_options.Secret);

        // Straight to the other node (no egress proxy), connected at once or not at all; a body runs as long as the fill.
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2), AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Whether followers stream fills from the filling node (a cluster on a bucket, each node with its own local directory).</summary>
    public bool Streams { get; }

    /// <summary>This node's address for its leases, when followers stream from it.</summary>
    public Uri? Self => Streams ? _options.Address : null;

    /// <summary>
    /// The body of <paramref name="owner"/>'s fill of <paramref name="digest"/> for <paramref name="registry"/>, from byte
    /// <paramref name="from"/> on, and the blob's whole length when that node knows it; <c>null</c> when that node
    /// does not answer with it (no such fill there, or refused).
    /// </summary>
    public async Task<(Stream Body, long? Length)?> OpenAsync(Uri owner, string? registry, Digest digest, long from, CancellationToken cancellationToken)
    {
        var query = $"?from={from.ToString(CultureInfo.InvariantCulture)}" + (registry is null ? "" : $"&registry={Uri.EscapeDataString(registry)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(owner, FillPeerOptions.Path + digest + query));
        request.Headers.TryAddWithoutValidation("Authorization", NodeSignature.Sign(_options.Secret!, FillPeerOptions.Subject(registry, digest), _time.GetUtcNow()));
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            response.Dispose();
            return null;
        }

        return (await response.Content.ReadAsStreamAsync(cancellationToken), from + response.Content.Headers.ContentLength);
    }

    public void Dispose() => _client.Dispose();
}
