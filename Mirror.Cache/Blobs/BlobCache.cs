using Mirror.Cache.Content;
using Mirror.Cache.Registry;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Where a blob request is decided: from the store when the blob is committed and the repository is known
/// to hold it, else from the one fill for its digest (started or joined), else the upstream's answer. The
/// store is deduplicated by digest, but a repository gets a stored blob only when it holds it: known from a
/// manifest, or confirmed now by the upstream (one HEAD, remembered).
/// </summary>
public sealed class BlobCache
{
    private readonly BlobStore _store;
    private readonly BlobFillCoordinator _fills;
    private readonly RepositoryLinks _links;

    internal BlobCache(BlobStore store, BlobFillCoordinator fills, RepositoryLinks links)
    {
        _store = store;
        _fills = fills;
        _links = links;
    }

    /// <summary>For a GET: the stored blob, or a fill this request starts or joins, or why neither.</summary>
    public async Task<BlobLookup> OpenAsync(IBlobSource upstream, RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (_store.TryOpen(digest) is { } stored)
        {
            return await FromStoreAsync(upstream, repository, digest, stored, cancellationToken);
        }

        var reader = _fills.Join(upstream, repository, digest, out var joined);
        if (reader is null)
        {
            // A fill committed between the look-up and the join.
            return _store.TryOpen(digest) is { } committed
                ? await FromStoreAsync(upstream, repository, digest, committed, cancellationToken)
                : new FailedBlob(SourceStatus.Unavailable, UpstreamError.Because("the blob is being replaced in the store; try again"));
        }

        try
        {
            // A fill another request started under another name: this name must hold the blob too.
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
        if (_store.TryOpen(digest) is { } stored)
        {
            return await FromStoreAsync(upstream, repository, digest, stored, cancellationToken);
        }

        if (await _links.HoldsAsync(repository, digest, cancellationToken))
        {
            // A fill under way already knows what a HEAD asks.
            using (var running = _fills.TryJoinRunning(digest))
            {
                if (running is not null && (await running.Started.WaitAsync(cancellationToken)).Status == SourceStatus.Found && running.Length is { } length)
                {
                    return new DescribedBlob(length, running.IsVerified ? CacheResult.Hit : CacheResult.Coalesced);
                }
            }

            // A fill that committed (and left) between the look-up above and the join.
            if (_store.TryOpen(digest) is { } landed)
            {
                return new StoredBlob(_store.Serve(landed));
            }
        }

        var head = await upstream.HeadBlobAsync(repository.Name, digest, cancellationToken);
        if (head.Status != SourceStatus.Found)
        {
            return new FailedBlob(head.Status, head.Error);
        }

        _links.Link(repository, digest);
        return new DescribedBlob(head.Length, CacheResult.Miss);
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
