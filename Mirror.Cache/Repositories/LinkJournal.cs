using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Repositories;

/// <summary>
/// Which repositories are known to hold which digests. The store keeps one copy of each digest for every
/// repository, but content is served under a repository's name only when that repository is known to hold
/// it: referenced by a manifest the mirror fetched (or had confirmed) under that name, or confirmed by the
/// upstream under that name. Otherwise anyone who learnt a private layer's digest could have it under any
/// name they may pull. Links are kept in memory, journaled in the metadata directory and replayed at start:
/// the truth on a single node; in a cluster, the node's own links beside Redis's (<c>Cluster/ClusterLinks</c>).
/// </summary>
internal sealed class LinkJournal : IRepositoryLinks
{
    private const string JournalFile = "links.txt";

    private readonly LinkSet _links = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LineJournal _journal;

    public LinkJournal(StoreLayout layout, ILogger<LinkJournal> logger) => _journal = new LineJournal(layout, JournalFile, logger);

    /// <summary>Completes when <see cref="Load"/> has run (or failed).</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Whether <paramref name="repository"/> is known here to hold <paramref name="digest"/>.</summary>
    public async ValueTask<bool> HoldsAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        if (!_loaded.Task.IsCompleted)
        {
            // A million links take a second or two to load; the first requests for content wait for them,
            // rather than ask the upstream about links the journal holds.
            await _loaded.Task.WaitAsync(cancellationToken);
        }

        return _links.Contains(repository.Value, digest);
    }

    /// <summary>Records that <paramref name="repository"/> holds <paramref name="digest"/>; true when this was not known.</summary>
    public bool Link(RepositoryKey repository, Digest digest)
    {
        if (!_links.TryAdd(repository.Value, digest, expanded: false))
        {
            return false;
        }

        _journal.Append([$"{repository.Value} {digest}"]);
        return true;
    }

    /// <summary>
    /// Records that <paramref name="repository"/> holds the manifest <paramref name="manifest"/> and what it
    /// names (a registry keeps a manifest's config, layers and child manifests in its repository). The
    /// references are read once per repository and manifest: <paramref name="references"/> is asked only then.
    /// </summary>
    public void LinkManifest(RepositoryKey repository, Digest manifest, Func<IReadOnlyList<Digest>> references) =>
        AddManifest(repository, manifest, references);

    /// <summary>As <see cref="LinkManifest"/>, returning the links that were not known.</summary>
    public List<(string Repository, Digest Digest)> AddManifest(RepositoryKey repository, Digest manifest, Func<IReadOnlyList<Digest>> references)
    {
        if (_links.IsExpanded(repository.Value, manifest))
        {
            return [];
        }

        var added = new List<(string, Digest)>();
        if (_links.TryAdd(repository.Value, manifest, expanded: true))
        {
            added.Add((repository.Value, manifest));
        }
        else
        {
            _links.SetExpanded(repository.Value, manifest);
        }

        foreach (var digest in references())
        {
            if (_links.TryAdd(repository.Value, digest, expanded: false))
            {
                added.Add((repository.Value, digest));
            }
        }

        _journal.Append(added.Select(link => $"{link.Item1} {link.Item2}").ToList());
        return added;
    }

    /// <summary>Takes a link another node learnt into memory and this node's journal.</summary>
    public void Remember(string repository, Digest digest)
    {
        if (_links.TryAdd(repository, digest, expanded: false))
        {
            _journal.Append([$"{repository} {digest}"]);
        }
    }

    /// <summary>
    /// Takes what the tag journal shows (each tag's digest was named by the upstream under its repository)
    /// as links too, without journaling them again: a store from before links were kept, or whose links
    /// file was lost, serves the images it knows by tag without asking the upstream.
    /// </summary>
    private void LinkTagged(IEnumerable<(string Repository, string Digest)> tagged)
    {
        foreach (var (repository, digest) in tagged)
        {
            if (RepositoryKey.IsValue(repository) && Digest.TryParse(digest) is { } parsed)
            {
                _links.TryAdd(repository, parsed, expanded: false);
            }
        }
    }

    /// <summary>Every repository known to hold a digest here, by its key (<see cref="RepositoryKey.Value"/>), once the journal has loaded.</summary>
    public async ValueTask<IEnumerable<string>> RepositoriesAsync(CancellationToken cancellationToken)
    {
        await _loaded.Task.WaitAsync(cancellationToken);
        return _links.Names;
    }

    /// <summary>Whether a repository of another registry than the first upstream is known (a link, or a tag taken in at <see cref="Load"/>).</summary>
    public bool NamesAnotherRegistry() => _links.Names.Any(name => RepositoryKey.FromValue(name) is { Upstream: not null });

    /// <summary>Every link known, as the repository's key (<see cref="RepositoryKey.Value"/>) and the digest it holds.</summary>
    public IEnumerable<(string Repository, Digest Digest)> All => _links.All;

    /// <summary>
    /// Replays the journal (a line cut short by a crash is skipped) and rewrites it without repeats (unless
    /// <see cref="StoreLayout.ReadOnlyMetadata"/>: a server beside this process may be appending to it),
    /// then takes <paramref name="tagged"/> (<see cref="LinkTagged"/>). Called once at start, off the
    /// request path: <see cref="HoldsAsync"/> waits for it, whether it loaded or failed.
    /// </summary>
    public int Load(IEnumerable<(string Repository, string Digest)>? tagged = null)
    {
        try
        {
            var count = Replay();
            LinkTagged(tagged ?? []);
            return count;
        }
        finally
        {
            _loaded.TrySetResult();
        }
    }

    private int Replay() => _journal.Replay(
        _links.EnsureCapacity,
        line =>
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            return space > 0 && line[..space] is var repository && RepositoryKey.IsValue(repository) && Digest.TryParse(line.AsSpan(space + 1)) is { } digest
                && _links.TryAdd(repository, digest, expanded: false);
        },
        () => _links.All.Select(k => $"{k.Repository} {k.Digest}"));
}
