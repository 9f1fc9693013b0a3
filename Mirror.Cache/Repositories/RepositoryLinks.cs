using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Content;
using Mirror.Cache.Registry;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Repositories;

/// <summary>
/// Which repositories are known to hold which digests. The store keeps one copy of each digest for every
/// repository, but content is served under a repository's name only when that repository is known to hold
/// it: referenced by a manifest the mirror fetched (or had confirmed) under that name, or confirmed by the
/// upstream under that name. Otherwise anyone who learnt a private layer's digest could have it under any
/// name they may pull. Links are journaled in the metadata directory and replayed at start.
/// </summary>
internal sealed class RepositoryLinks
{
    private const string JournalFile = "links.txt";

    private readonly ConcurrentDictionary<(string Repository, Digest Digest), bool> _links = new();
    private readonly Lock _journalGate = new();
    private readonly StoreLayout _layout;
    private readonly string _journal;
    private readonly ILogger<RepositoryLinks> _logger;

    public RepositoryLinks(StoreLayout layout, ILogger<RepositoryLinks> logger)
    {
        _layout = layout;
        _journal = Path.Combine(layout.MetadataDirectory, JournalFile);
        _logger = logger;
    }

    public bool Holds(RepositoryKey repository, Digest digest) => _links.ContainsKey((repository.Value, digest));

    /// <summary>Records that <paramref name="repository"/> holds <paramref name="digest"/>; true when this was not known.</summary>
    public bool Link(RepositoryKey repository, Digest digest)
    {
        if (!_links.TryAdd((repository.Value, digest), false))
        {
            return false;
        }

        Append([$"{repository.Value} {digest}"]);
        return true;
    }

    /// <summary>
    /// Records that <paramref name="repository"/> holds the manifest <paramref name="manifest"/> and what it
    /// names (a registry keeps a manifest's config, layers and child manifests in its repository). The
    /// references are read once per repository and manifest: <paramref name="references"/> is asked only then.
    /// </summary>
    public void LinkManifest(RepositoryKey repository, Digest manifest, Func<IReadOnlyList<Digest>> references)
    {
        var key = (repository.Value, manifest);
        if (_links.TryGetValue(key, out var expanded) && expanded)
        {
            return;
        }

        var lines = new List<string>();
        if (_links.TryAdd(key, true))
        {
            lines.Add($"{repository.Value} {manifest}");
        }
        else
        {
            _links[key] = true;
        }

        foreach (var digest in references())
        {
            if (_links.TryAdd((repository.Value, digest), false))
            {
                lines.Add($"{repository.Value} {digest}");
            }
        }

        Append(lines);
    }

    /// <summary>
    /// Takes what the tag journal shows (each tag's digest was named by the upstream under its repository)
    /// as links too, without journaling them again: a store from before links were kept, or whose links
    /// file was lost, serves the images it knows by tag without asking the upstream.
    /// </summary>
    public void LinkTagged(IEnumerable<(string Repository, string Digest)> tagged)
    {
        foreach (var (repository, digest) in tagged)
        {
            if (RepositoryKey.IsValue(repository) && Digest.TryParse(digest) is { } parsed)
            {
                _links.TryAdd((repository, parsed), false);
            }
        }
    }

    /// <summary>Every link known, as the repository's key (<see cref="RepositoryKey.Value"/>) and the digest it holds.</summary>
    public IEnumerable<(string Repository, Digest Digest)> All => _links.Keys;

    /// <summary>
    /// Replays the journal (a line cut short by a crash is skipped) and rewrites it without repeats (unless
    /// <see cref="StoreLayout.ReadOnlyMetadata"/>: a server beside this process may be appending to it).
    /// Called once at start.
    /// </summary>
    public int Load()
    {
        if (!File.Exists(_journal))
        {
            return 0;
        }

        var lines = 0;
        foreach (var line in File.ReadLines(_journal))
        {
            lines++;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line[..space] is var repository && RepositoryKey.IsValue(repository) && Digest.TryParse(line.AsSpan(space + 1)) is { } digest)
            {
                _links.TryAdd((repository, digest), false);
            }
        }

        if (lines > _links.Count && !_layout.ReadOnlyMetadata)
        {
            lock (_journalGate)
            {
                var temp = _layout.NewTempPath();
                File.WriteAllLines(temp, _links.Keys.Select(k => $"{k.Repository} {k.Digest}"));
                File.Move(temp, _journal, overwrite: true);
            }
        }

        return _links.Count;
    }

    private void Append(List<string> lines)
    {
        if (lines.Count == 0 || _layout.ReadOnlyMetadata)
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
                // Kept in memory; after a restart the upstream is asked again.
                CacheLog.MetadataNotSaved(_logger, _journal, ex);
            }
        }
    }
}
