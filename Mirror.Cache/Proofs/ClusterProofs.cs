using Microsoft.Extensions.Caching.Distributed;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Proofs;

/// <summary>
/// The proofs of a cluster, in Redis (through <see cref="IDistributedCache"/>): one record per registry and
/// digest, and one per digest that some registry proved it. Each node keeps in memory the proofs it made or
/// found, so a proven digest is answered without asking Redis again; a proof not in memory is asked for.
/// When Redis cannot be asked, what this node does not know is unproven: the registry fetches to check.
/// </summary>
internal sealed class ClusterProofs(IDistributedCache shared, MirrorMetrics metrics) : IContentProofs
{
    private static readonly DistributedCacheEntryOptions Forever = new();

    private readonly ProofSet _known = new();

    public async ValueTask<ProofStatus> CheckAsync(string registry, Digest digest, CancellationToken cancellationToken)
    {
        if (_known.Contains(registry, digest))
        {
            return ProofStatus.Proven;
        }

        try
        {
            if (await shared.GetAsync(Key(registry, digest), cancellationToken) is not null)
            {
                _known.Add(registry, digest);
                return ProofStatus.Proven;
            }

            return _known.ProvenByAnother(registry, digest) || await shared.GetAsync(AnyKey(digest), cancellationToken) is not null
                ? ProofStatus.Unproven
                : ProofStatus.Unattributed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.ClusterError();
            return ProofStatus.Unproven;
        }
    }

    /// <summary>Records the proof in Redis before it returns, so a node that sees the content committed next finds it.</summary>
    public async ValueTask ProveAsync(string registry, Digest digest, CancellationToken cancellationToken)
    {
        if (!_known.Add(registry, digest))
        {
            return;
        }

        try
        {
            await shared.SetAsync(Key(registry, digest), [1], Forever, cancellationToken);
            await shared.SetAsync(AnyKey(digest), [1], Forever, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Known here; another node that asks for it fetches from the registry to check, as for any unproven digest.
            metrics.ClusterError();
        }
    }

    /// <summary>Nothing to load: the proofs are in Redis, and each node learns them as it asks.</summary>
    public int Load() => 0;

    private static string Key(string registry, Digest digest) => $"proof/{digest}/{(registry.Length == 0 ? "-" : registry)}";

    private static string AnyKey(Digest digest) => $"proof/{digest}";
}
