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
/// from a manifest, or confirmed now by the upstream (one HEAD, remembered).
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
            return await FromStoreAsync(upstream, repository, digest, lease, cancellationToken);
        }

        // Stored, but not served by this registry yet: it is fetched from there and checked, as a miss.
        var reader = _fills.Join(upstream, repository, digest, evenIfStored: stored.Unproven, out var joined);
        if (reader is null)
        {
            // A fill committed between the look-up and the join: this registry's, or another's.
            var committed = await TryOpenServedAsync(repository, digest, cancellationToken);
            if (committed.Lease is { } landed)
            {
                return await FromStoreAsync(upstream, repository, digest, landed, cancellationToken);
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
    /// For a HEAD: the stored blob, or the length a running fill or the upstream gives; never starts a fill,
    /// so a HEAD stays a HEAD upstream.
    /// </summary>
    public async Task<BlobLookup> DescribeAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (await TryOpenServedAsync(repository, digest, cancellationToken) is { Lease: { } stored })
        {
            return await FromStoreAsync(upstream, repository, digest, stored, cancellationToken);
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

    private async Task<BlobLookup> FromStoreAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, StoreLease stored, CancellationToken cancellationToken)
    {
        try
        {
            if (await ConfirmAsync(upstream, repository, digest, cancellationToken) is { } refused)
            {
                stored.Dispose();
                return refused;
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
