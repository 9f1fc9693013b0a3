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
    private readonly Lock _journalGate = new();
    private readonly StoreLayout _layout;
    private readonly string _journal;
    private readonly ILogger<ProofJournal> _logger;

    public ProofJournal(StoreLayout layout, ILogger<ProofJournal> logger)
    {
        _layout = layout;
        _journal = Path.Combine(layout.NodeMetadataDirectory, JournalFile);
        _logger = logger;
    }

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

        Append([Line(registry, digest)]);
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
            return File.Exists(_journal) ? Replay() : 0;
        }
        finally
        {
            _loaded.TrySetResult();
        }
    }

    private int Replay()
    {
        _proofs.EnsureCapacity(File.ReadLines(_journal).Count());
        var (lines, count) = (0, 0);
        foreach (var line in File.ReadLines(_journal))
        {
            lines++;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var registry = space < 0 ? string.Empty : line[(space + 1)..];
            if (Digest.TryParse(space < 0 ? line : line.AsSpan(0, space)) is { } digest && (registry.Length == 0 || Protocol.RepositoryKey.IsHost(registry))
                && _proofs.Add(registry, digest))
            {
                count++;
            }
        }

        if (lines > count && !_layout.ReadOnlyMetadata)
        {
            lock (_journalGate)
            {
                var temp = _layout.NewTempPath();
                File.WriteAllLines(temp, _proofs.All.Select(p => Line(p.Registry, p.Digest)));
                File.Move(temp, _journal, overwrite: true);
            }
        }

        return count;
    }

    private static string Line(string registry, Digest digest) => registry.Length == 0 ? digest.ToString() : $"{digest} {registry}";

    private void Append(List<string> lines)
    {
        if (_layout.ReadOnlyMetadata)
        {
            return;
        }

        lock (_journalGate)
        {
            try
            {
                File.AppendAllLines(_journal, lines);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Kept in memory; after a restart the registry proves it again with one fetch.
                StorageLog.MetadataNotSaved(_logger, _journal, ex);
            }
        }
    }
}
