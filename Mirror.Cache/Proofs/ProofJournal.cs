using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Proofs;

/// <summary>
/// The proofs a node knows: in memory, and appended to <c>metadata/proofs.txt</c> (a digest alone for
/// the first upstream, the digest and the registry's host for another), replayed and compacted at start as
/// the links are. On a single node the truth, every question answered from memory; in a cluster, the node's
/// own proofs beside Redis's (<c>Cluster/ClusterProofs</c>), in its own part of the metadata directory.
/// </summary>
internal sealed class ProofJournal : IContentProofs
{
    private const string JournalFile = "proofs.txt";

    private readonly ProofSet _proofs = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LineJournal _journal;

    public ProofJournal(StoreLayout layout, ILogger<ProofJournal> logger) => _journal = new LineJournal(layout, JournalFile, logger);

    public async ValueTask<ProofStatus> CheckAsync(string registry, Digest digest, CancellationToken cancellationToken)
    {
        if (!_loaded.Task.IsCompleted)
        {
            // The first requests after a start wait for the journal, rather than fetch what it proves again.
            await _loaded.Task.WaitAsync(cancellationToken);
        }

        return _proofs.Contains(registry, digest) ? ProofStatus.Proven
            : _proofs.ProvenByAnother(registry, digest) ? ProofStatus.Unproven
            : ProofStatus.Unattributed;
    }

    public ValueTask ProveAsync(string registry, Digest digest, CancellationToken cancellationToken)
    {
        Add(registry, digest);
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes when <see cref="Load"/> has run (or failed).</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Every proof known here, as the registry and the digest.</summary>
    public IEnumerable<(string Registry, Digest Digest)> All => _proofs.All;

    /// <summary>Whether <paramref name="registry"/>'s proof of <paramref name="digest"/> is known here.</summary>
    public bool Knows(string registry, Digest digest) => _proofs.Contains(registry, digest);

    /// <summary>Whether a registry other than <paramref name="registry"/> is known here to have proven <paramref name="digest"/>.</summary>
    public bool KnowsAnother(string registry, Digest digest) => _proofs.ProvenByAnother(registry, digest);

    /// <summary>Records the proof here (in memory and the journal); false when it was known.</summary>
    public bool Add(string registry, Digest digest)
    {
        if (!_proofs.Add(registry, digest))
        {
            return false;
        }

        _journal.Append([Line(registry, digest)]);
        return true;
    }

    /// <summary>
    /// Replays the journal (a line cut short by a crash is skipped) and rewrites it without repeats (unless
    /// <see cref="StoreLayout.ReadOnlyMetadata"/>). <see cref="CheckAsync"/> waits for it, whether it loaded or
    /// failed (then what it did not load is unproven: each registry fetches the stored content it asks for once more).
    /// </summary>
    public int Load()
    {
        try
        {
            return Replay();
        }
        finally
        {
            _loaded.TrySetResult();
        }
    }

    private int Replay() => _journal.Replay(
        _proofs.EnsureCapacity,
        line =>
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var registry = space < 0 ? string.Empty : line[(space + 1)..];
            return Digest.TryParse(space < 0 ? line : line.AsSpan(0, space)) is { } digest && (registry.Length == 0 || Protocol.RepositoryKey.IsHost(registry))
                && _proofs.Add(registry, digest);
        },
        () => _proofs.All.Select(p => Line(p.Registry, p.Digest)));

    private static string Line(string registry, Digest digest) => registry.Length == 0 ? digest.ToString() : $"{digest} {registry}";
}
