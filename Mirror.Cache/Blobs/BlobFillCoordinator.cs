using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Single flight for blobs: at most one fill per registry and digest at a time, joined by every request for
/// that digest through that registry while it runs. A fill of one registry is never joined through another:
/// each registry's bytes are its own proof (<see cref="Proofs.Provenance"/>). Fills run on the coordinator's
/// own lifetime, not on any request's.
/// </summary>
internal sealed class BlobFillCoordinator : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string? Registry, Digest Digest), BlobFill> _fills = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly BlobStore _store;
    private readonly BlobFillServices _services;

    public BlobFillCoordinator(
        BlobStore store,
        IRepositoryLinks links,
        Provenance provenance,
        IOptions<FillOptions> options,
        TimeProvider time,
        MirrorMetrics metrics,
        IClusterCoordinator cluster,
        IFillRunner runner,
        FillPeers peers,
        ILogger<BlobFill> logger)
    {
        _store = store;
        _services = new BlobFillServices(store, links, provenance, options.Value, time, metrics, logger, cluster, runner, peers);
    }

    /// <summary>The number of fills running now.</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _fills.Count;
            }
        }
    }

    /// <summary>Where each running fill stands, the longest-running first.</summary>
    public IReadOnlyList<FillProgress> Progress()
    {
        lock (_gate)
        {
            return _fills.Values.Select(f => f.Progress()).OrderByDescending(p => p.Elapsed).ToList();
        }
    }

    /// <summary>
    /// Joins the running fill of <paramref name="repository"/>'s registry for <paramref name="digest"/> or
    /// starts one from <paramref name="source"/>. Returns <c>null</c> when the blob is already in the store (a
    /// fill may have committed since the caller looked), unless <paramref name="evenIfStored"/>: the registry
    /// has to serve the bytes itself. <paramref name="joined"/> says whether the reader joined a fill another
    /// request started.
    /// </summary>
    public FillReader? Join(IBlobSource source, RepositoryKey repository, Digest digest, bool evenIfStored, out bool joined)
    {
        BlobFill? fill;
        lock (_gate)
        {
            if (_fills.TryGetValue((repository.Upstream, digest), out fill))
            {
                fill.AddReference();
                joined = true;
                return new FillReader(fill);
            }

            joined = false;
            if (!evenIfStored && _store.Contains(digest))
            {
                return null;
            }

            fill = new BlobFill(repository, digest, source, _services);
            _fills.Add((repository.Upstream, digest), fill);
            fill.AddReference();
        }

        var stopping = _stopping.Token;
        _ = Task.Run(() => RunAsync(fill, stopping));
        return new FillReader(fill);
    }

    /// <summary>Joins the running fill of <paramref name="repository"/>'s registry for <paramref name="digest"/>, if there is one; never starts one.</summary>
    public FillReader? TryJoinRunning(RepositoryKey repository, Digest digest) => TryJoinRunning(repository.Upstream, digest);

    /// <summary>Joins the running fill of <paramref name="registry"/> (<c>null</c>: the first upstream) for <paramref name="digest"/>, if there is one.</summary>
    public FillReader? TryJoinRunning(string? registry, Digest digest)
    {
        lock (_gate)
        {
            if (!_fills.TryGetValue((registry, digest), out var fill))
            {
                return null;
            }

            fill.AddReference();
            return new FillReader(fill);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunAsync(BlobFill fill, CancellationToken stopping)
    {
        _services.Metrics.FillStarted();
        try
        {
            await fill.RunAsync(stopping);
        }
        finally
        {
            _services.Metrics.FillEnded();
            lock (_gate)
            {
                _fills.Remove((fill.Repository.Upstream, fill.Digest));
            }

            fill.Release();
        }
    }
}
