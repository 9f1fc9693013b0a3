using System.Collections.Concurrent;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Tests.Support;

/// <summary>
/// An upstream registry as the cache reaches it (<see cref="IUpstream"/>, the port the gateway implements
/// over HTTP), answering from what the test scripted: blobs and manifests per repository, tags that move, an
/// outage or a rate limit, answers held back until released. Its request log is the proof of what reached
/// the upstream.
/// </summary>
internal sealed class ScriptedUpstream(string name = "docker.io") : IUpstream
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<(string Repository, Digest Digest), byte[]> _blobs = new();
    private readonly ConcurrentDictionary<(string Repository, Digest Digest), (byte[] Content, string MediaType)> _manifests = new();
    private readonly ConcurrentDictionary<(string Repository, string Tag), Digest> _tags = new();
    private volatile TaskCompletionSource? _held;

    /// <summary>The registry host the cache keys this upstream by.</summary>
    public string Name => name;

    /// <summary>Zero: a failed first request is not asked again, so the log counts the cache's decisions, not its retries.</summary>
    public TimeSpan FirstByteTimeout => TimeSpan.Zero;

    /// <summary>Every request in the order it arrived, as <c>HEAD library/app/manifests/latest</c> or <c>GET library/app/blobs/sha256:...</c>.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>While set, every request is answered with this status instead (an outage, a rate limit).</summary>
    public SourceStatus? Failing { get; set; }

    /// <summary>Serves <paramref name="content"/> as a blob of <paramref name="repository"/>, under its digest, which it returns.</summary>
    public Digest AddBlob(string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        AddBlob(repository, digest, content);
        return digest;
    }

    /// <summary>Serves <paramref name="content"/> as the blob <paramref name="digest"/> of <paramref name="repository"/>, whether it hashes to it or not.</summary>
    public void AddBlob(string repository, Digest digest, byte[] content) => _blobs[(repository, digest)] = content;

    /// <summary>
    /// Serves <paramref name="content"/> as a manifest of <paramref name="repository"/> with
    /// <paramref name="mediaType"/> as its <c>Content-Type</c>, under <paramref name="digest"/> (its own
    /// unless given: a registry that lies), and points <paramref name="tags"/> at it (moving them).
    /// </summary>
    public Digest AddManifest(string repository, byte[] content, string mediaType = MediaTypes.DockerManifest, Digest? digest = null, params string[] tags)
    {
        var under = digest ?? Digest.Compute(content);
        _manifests[(repository, under)] = (content, mediaType);
        foreach (var tag in tags)
        {
            _tags[(repository, tag)] = under;
        }

        return under;
    }

    /// <summary>
    /// Holds back what the upstream sends from now on until <see cref="Release"/>: a manifest's or a HEAD's
    /// answer, and a blob's body (its headers go out, so the fill starts, as with a slow upstream). Each
    /// request is logged as it arrives.
    /// </summary>
    public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets what is held go.</summary>
    public void Release() => Interlocked.Exchange(ref _held, null)?.TrySetResult();

    public Task<UpstreamBlob> OpenBlobAsync(RepositoryName repository, Digest digest, long offset, CancellationToken cancellationToken) =>
        Task.FromResult(OpenBlob(repository, digest, offset));

    /// <summary>A client's range, asked of the upstream: logged apart from the fill's GETs.</summary>
    public Task<UpstreamBlob> OpenBlobRangeAsync(RepositoryName repository, Digest digest, long start, long last, CancellationToken cancellationToken)
    {
        _requests.Enqueue($"GET {repository}/blobs/{digest} bytes={start}-{last}");
        if (Failing is null && _blobs.TryGetValue((repository.Value, digest), out var content))
        {
            var bytes = new MemoryStream(content, (int)start, (int)(Math.Min(last + 1, content.Length) - start), writable: false);
            return Task.FromResult(UpstreamBlob.Found(new UpstreamBody(bytes, TimeSpan.FromMinutes(1), TimeProvider.System), start, content.Length, owner: null));
        }

        return Task.FromResult(UpstreamBlob.Failed(Failing ?? SourceStatus.NotFound, UpstreamError.Because("scripted")));
    }

    public async Task<UpstreamBlobHead> HeadBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        await ArriveAsync($"HEAD {repository}/blobs/{digest}", cancellationToken);
        return Failing is { } status ? new UpstreamBlobHead(status, null, UpstreamError.Because($"scripted: {status}"))
            : _blobs.TryGetValue((repository.Value, digest), out var content) ? new UpstreamBlobHead(SourceStatus.Found, content.Length, null)
            : new UpstreamBlobHead(SourceStatus.NotFound, null, null);
    }

    /// <summary>A HEAD answers the digest the manifest is served under, its type and length, as <c>Docker-Content-Digest</c> and the headers do.</summary>
    public async Task<UpstreamManifest> HeadManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken)
    {
        await ArriveAsync($"HEAD {repository}/manifests/{reference}", cancellationToken);
        return Find(repository, reference) is { } found
            ? new UpstreamManifest(SourceStatus.Found, found.Digest, found.MediaType, found.Content.Length, ReadOnlyMemory<byte>.Empty, null)
            : NotFound();
    }

    /// <summary>A GET answers the bytes, and the digest computed from them (as the gateway's client does).</summary>
    public async Task<UpstreamManifest> GetManifestAsync(RepositoryName repository, string reference, string accept, CancellationToken cancellationToken)
    {
        await ArriveAsync($"GET {repository}/manifests/{reference}", cancellationToken);
        return Find(repository, reference) is { } found
            ? new UpstreamManifest(SourceStatus.Found, Digest.Compute(found.Content), found.MediaType, found.Content.Length, found.Content, null)
            : NotFound();
    }

    public async Task<UpstreamManifest> GetReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken)
    {
        await ArriveAsync($"GET {repository}/referrers/{subject}", cancellationToken);
        return UpstreamManifest.Failed(Failing ?? SourceStatus.NotFound, UpstreamError.Because("scripted: no referrers API"));
    }

    public async Task<UpstreamTagList> GetTagsAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        await ArriveAsync($"GET {repository}/tags/list", cancellationToken);
        return Failing is { } status
            ? new UpstreamTagList(status, [], UpstreamError.Because($"scripted: {status}"))
            : new UpstreamTagList(SourceStatus.Found, [.. _tags.Keys.Where(k => k.Repository == repository.Value).Select(k => k.Tag).Order(StringComparer.Ordinal)], null);
    }

    private UpstreamBlob OpenBlob(RepositoryName repository, Digest digest, long offset)
    {
        _requests.Enqueue($"GET {repository}/blobs/{digest}");
        if (Failing is { } status)
        {
            return UpstreamBlob.Failed(status, UpstreamError.Because($"scripted: {status}"));
        }

        if (!_blobs.TryGetValue((repository.Value, digest), out var content))
        {
            return UpstreamBlob.Failed(SourceStatus.NotFound, new UpstreamError("BLOB_UNKNOWN", "blob unknown to registry"));
        }

        var bytes = new MemoryStream(content, (int)offset, content.Length - (int)offset, writable: false);
        var body = new UpstreamBody(_held is { } held ? new HeldStream(bytes, held.Task) : bytes, TimeSpan.FromMinutes(1), TimeProvider.System);
        return UpstreamBlob.Found(body, offset, content.Length, owner: null);
    }

    private (Digest Digest, byte[] Content, string MediaType)? Find(RepositoryName repository, string reference)
    {
        if (Failing is not null)
        {
            return null;
        }

        var digest = Digest.TryParse(reference) ?? _tags.GetValueOrDefault((repository.Value, reference));
        return digest is not null && _manifests.TryGetValue((repository.Value, digest), out var manifest) ? (digest, manifest.Content, manifest.MediaType) : null;
    }

    private UpstreamManifest NotFound() =>
        Failing is { } status
            ? UpstreamManifest.Failed(status, UpstreamError.Because($"scripted: {status}"))
            : UpstreamManifest.Failed(SourceStatus.NotFound, new UpstreamError("MANIFEST_UNKNOWN", "manifest unknown"));

    private async Task ArriveAsync(string request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        if (_held is { } held)
        {
            await held.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A body whose bytes start to flow once <paramref name="released"/> completes.</summary>
    private sealed class HeldStream(Stream inner, Task released) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await released.WaitAsync(cancellationToken);
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
