using Mirror.Cache.Protocol;

namespace Mirror.Cache.Proofs;

/// <summary>
/// Which registry has served bytes that hash to which digest: the one fact that lets a registry have
/// content the store holds, whoever fetched it. A registry's word (a <c>HEAD</c> naming a digest, a blob
/// <c>HEAD</c> answering 200, a manifest of its own naming the digest) is no proof, since a configured
/// registry that lies could otherwise have content another registry served the mirror with its credentials.
/// One owner: the journal on a single node (<see cref="ProofJournal"/>), Redis in a cluster
/// (<c>Cluster/ClusterProofs</c>, with the node's journal beside it); chosen once, in the composition. Proofs are never taken back: a digest
/// names its bytes, so a registry that once served them holds them.
/// </summary>
/// <remarks>A registry is written as <see cref="Protocol.RepositoryKey.Upstream"/> is, with <c>""</c> for the first upstream.</remarks>
internal interface IContentProofs
{
    /// <summary>What is known of <paramref name="registry"/>'s proof of <paramref name="digest"/>; from memory when it is proven.</summary>
    ValueTask<ProofStatus> CheckAsync(string registry, Digest digest, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="registry"/> has served bytes that hash to <paramref name="digest"/>.</summary>
    ValueTask ProveAsync(string registry, Digest digest, CancellationToken cancellationToken);

    /// <summary>Takes in what earlier runs recorded (once, at start, off the request path); how many proofs.</summary>
    int Load();
}
