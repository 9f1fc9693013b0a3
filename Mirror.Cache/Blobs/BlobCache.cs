using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Where a blob request is decided: from the store when the blob is committed, its registry has served it
/// (<see cref="Provenance"/>) and the repository is known to hold it, else from the one fill for its
/// registry and digest (started or joined), else the upstream's answer. The store is deduplicated by
/// digest, but a registry gets a stored blob only once it has served those bytes itself (until then it is
/// a miss there: fetched, checked, and the one copy kept), and a repository only when it holds it: known
/// from a manifest, or confirmed now by the upstream (one HEAD, remembered). With a bucket, a blob this node
/// does not hold is looked for there before the upstream, and a warm GET may be redirected there.
/// </summary>
public sealed class BlobCache
{
    private readonly BlobStore _store;
    private readonly BlobFillCoordinator _fills;
    private readonly IRepositoryLinks _links;
    private readonly Provenance _provenance;

    internal BlobCache(BlobStore store, BlobFillCoordinator fills, IRepositoryLinks links, Provenance provenance)
    {
        _store = store;
        _fills = fills;
        _links = links;
        _provenance = provenance;
    }

    /// <summary>For a GET: the stored blob, or a fill this request starts or joins, or why neither.</summary>
    public async Task<BlobLookup> OpenAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        var stored = await TryOpenServedAsync(repository, digest, cancellationToken);
        if (stored.Lease is { } lease)
        {
            return await FromStoreAsync(upstream, repository, digest, lease, redirect: true, cancellationToken);
        }

        if (!stored.Unproven && await FromBucketAsync(upstream, repository, digest, cancellationToken) is { } inBucket)
        {
            return inBucket;
        }

        // Stored, but not served by this registry yet: it is fetched from there and checked, as a miss.
        var reader = _fills.Join(upstream, repository, digest, evenIfStored: stored.Unproven, out var joined);
        if (reader is null)
        {
            // A fill committed between the look-up and the join: this registry's, or another's.
            var committed = await TryOpenServedAsync(repository, digest, cancellationToken);
            if (committed.Lease is { } landed)
            {
                return await FromStoreAsync(upstream, repository, digest, landed, redirect: true, cancellationToken);
            }

            reader = committed.Unproven ? _fills.Join(upstream, repository, digest, evenIfStored: true, out joined) : null;
            if (reader is null)
            {
                return new FailedBlob(SourceStatus.Unavailable, UpstreamError.Because("the blob is being replaced in the store; try again"));
            }
        }

        return await FromFillAsync(upstream, repository, digest, reader, joined, cancellationToken);
    }

    /// <summary>
    /// For a GET that started or joined a fill: the fill once the upstream has answered, or why not (the
    /// reader is then disposed). <paramref name="joined"/>: another request started it.
    /// </summary>
    private async Task<BlobLookup> FromFillAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, FillReader reader, bool joined, CancellationToken cancellationToken)
    {
        try
        {
            // A fill another request started under another name of the registry: this name must hold the blob too.
            if (joined && reader.Repository != repository && await ConfirmAsync(upstream, repository, digest, cancellationToken) is { } refused)
            {
                reader.Dispose();
                return refused;
            }

            var start = await reader.Started.WaitAsync(cancellationToken);
            if (start.Status != SourceStatus.Found)
            {
                reader.Dispose();
                return new FailedBlob(start.Status, start.Error);
            }

            // Joining a fill that has verified is a hit: every byte is local, only not renamed into place yet.
            return new FillingBlob(reader, joined && reader.IsVerified ? CacheResult.Hit : joined ? CacheResult.Coalesced : CacheResult.Miss);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// For another node of the cluster that follows this node's fill (<see cref="FillPeers"/>): the running fill of
    /// <paramref name="registry"/> (<c>null</c>: the first upstream) for <paramref name="digest"/> once its upstream
    /// answered, or the stored blob once it committed; else not found. The asking node verifies what it gets,
    /// and asks for the registry's proof itself.
    /// </summary>
    public async Task<BlobLookup> OpenForNodeAsync(string? registry, Digest digest, CancellationToken cancellationToken)
    {
        if (_fills.TryJoinRunning(registry, digest) is { } running)
        {
            FillStart start;
            try
            {
                start = await running.Started.WaitAsync(cancellationToken);
            }
            catch
            {
                running.Dispose();
                throw;
            }

            if (start.Status == SourceStatus.Found)
            {
                return new FillingBlob(running, CacheResult.Coalesced);
            }

            running.Dispose();
            return new FailedBlob(start.Status, start.Error);
        }

        return _store.TryOpen(digest) is { } stored
            ? new StoredBlob(stored)
            : new FailedBlob(SourceStatus.NotFound, UpstreamError.Because("no fill of it runs on this node"));
    }

    /// <summary>
    /// For a HEAD: the stored blob, or the length a running fill or the upstream gives; never starts a fill,
    /// so a HEAD stays a HEAD upstream.
    /// </summary>
    public async Task<BlobLookup> DescribeAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (await TryOpenServedAsync(repository, digest, cancellationToken) is { Lease: { } stored })
        {
            return await FromStoreAsync(upstream, repository, digest, stored, redirect: false, cancellationToken);
        }

        // Another node's (or an earlier life's) content: the bucket's length answers, with no upstream request.
        if (_store.Bucket.IsEnabled && await _provenance.HasServedAsync(repository, digest, cancellationToken)
            && await _store.Bucket.LengthOfBlobAsync(digest, cancellationToken) is { } inBucket
            && await ConfirmAsync(upstream, repository, digest, cancellationToken) is null)
        {
            return new DescribedBlob(inBucket, CacheResult.Hit);
        }

        if (await _links.HoldsAsync(repository, digest, cancellationToken))
        {
            // A fill under way already knows what a HEAD asks.
            using (var running = _fills.TryJoinRunning(repository, digest))
            {
                if (running is not null && (await running.Started.WaitAsync(cancellationToken)).Status == SourceStatus.Found && running.Length is { } length)
                {
                    return new DescribedBlob(length, running.IsVerified ? CacheResult.Hit : CacheResult.Coalesced);
                }
            }

            // A fill that committed (and left) between the look-up above and the join.
            if (await TryOpenServedAsync(repository, digest, cancellationToken) is { Lease: { } landed })
            {
                return new StoredBlob(_store.Serve(landed));
            }
        }

        // Not stored, or not served by this registry yet: its own answer, which tells nothing of the store's copy.
        var head = await upstream.HeadBlobAsync(repository.Name, digest, cancellationToken);
        if (head.Status != SourceStatus.Found)
        {
            return new FailedBlob(head.Status, head.Error);
        }

        _links.Link(repository, digest);
        return new DescribedBlob(head.Length, CacheResult.Miss);
    }

    /// <summary>
    /// The committed blob, leased, when <paramref name="repository"/>'s registry has served it; otherwise no
    /// lease, and whether that is because the store holds it from another registry only.
    /// </summary>
    private async ValueTask<(StoreLease? Lease, bool Unproven)> TryOpenServedAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (_store.TryOpen(digest) is not { } stored)
        {
            return (null, false);
        }

        try
        {
            if (await _provenance.HasServedAsync(repository, digest, cancellationToken))
            {
                return (stored, false);
            }
        }
        catch
        {
            stored.Dispose();
            throw;
        }

        stored.Dispose();
        return (null, true);
    }

    /// <summary>
    /// A GET of a blob this node does not hold but the bucket does, once its registry has served it: a redirect
    /// to the bucket (<c>storage.redirect</c>), or the blob copied back into the store, verified, and served
    /// from there; <c>null</c> when the bucket does not hold it (a miss: the upstream's, as without a bucket).
    /// </summary>
    private async Task<BlobLookup?> FromBucketAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (!_store.Bucket.IsEnabled || !await _provenance.HasServedAsync(repository, digest, cancellationToken))
        {
            return null;
        }

        if (_store.Bucket.Redirects)
        {
            if (await _store.Bucket.LengthOfBlobAsync(digest, cancellationToken) is not { } length)
            {
                return null;
            }

            return await ConfirmAsync(upstream, repository, digest, cancellationToken)
                ?? (BlobLookup)new RedirectedBlob(await _store.Bucket.PresignBlobAsync(digest, cancellationToken), length);
        }

        return await _store.TryRestoreAsync(digest, cancellationToken) is { } restored
            ? await FromStoreAsync(upstream, repository, digest, restored, redirect: false, cancellationToken)
            : null;
    }

    /// <summary>
    /// The stored blob for a repository that holds it: served from its file, or with <paramref name="redirect"/>
    /// (a GET) and <c>storage.redirect</c> on, a redirect to the bucket, which holds whatever a node has committed.
    /// </summary>
    private async Task<BlobLookup> FromStoreAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, StoreLease stored, bool redirect, CancellationToken cancellationToken)
    {
        try
        {
            if (await ConfirmAsync(upstream, repository, digest, cancellationToken) is { } refused)
            {
                stored.Dispose();
                return refused;
            }

            if (redirect && _store.Bucket.Redirects)
            {
                var length = _store.Serve(stored).Length;
                stored.Dispose();
                return new RedirectedBlob(await _store.Bucket.PresignBlobAsync(digest, cancellationToken), length);
            }

            return new StoredBlob(_store.Serve(stored));
        }
        catch
        {
            stored.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Nothing when <paramref name="repository"/> is known to hold <paramref name="digest"/>, or the upstream
    /// confirms it now (remembered); otherwise the upstream's refusal.
    /// </summary>
    private async Task<FailedBlob?> ConfirmAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (await _links.HoldsAsync(repository, digest, cancellationToken))
        {
            return null;
        }

        var head = await upstream.HeadBlobAsync(repository.Name, digest, cancellationToken);
        if (head.Status != SourceStatus.Found)
        {
            return new FailedBlob(head.Status, head.Error);
        }

        _links.Link(repository, digest);
        return null;
    }
}
