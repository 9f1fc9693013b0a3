using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Cache.Watch;

namespace Mirror.Cache.Pins;

/// <summary>
/// The content expiry and the size budget never remove: every digest a repository that <c>mirror.pin</c>
/// names is known to hold, and for each watched tag the image it points at and the one it pointed at before
/// its last move (the rollback), each with what its manifests name. Worked out from the shared facts (links,
/// tags) and the index before each sweep, so every node of a cluster agrees. When pinned content alone is
/// over <c>mirror.maxsize</c>, the pins win: new content is served without being stored
/// (<see cref="CrowdedOut"/>) rather than a pin evicted.
/// </summary>
internal sealed class StorePins : IStorePins
{
    private readonly StoreIndex _index;
    private readonly StoreLayout _layout;
    private readonly ITagStore _tags;
    private readonly IRepositoryLinks _links;
    private readonly List<PinPattern> _patterns;
    private readonly IReadOnlyList<WatchedImage> _watched;
    private readonly EvictionOptions _eviction;
    private readonly ILogger<StorePins> _logger;
    private volatile HashSet<DigestKey> _pinned = [];
    private long _bytes;
    private volatile bool _crowdedOut;

    public StorePins(StoreIndex index, StoreLayout layout, ITagStore tags, IRepositoryLinks links, IOptions<PinOptions> pins, IOptions<WatchOptions> watch, IOptions<EvictionOptions> eviction, MirrorMetrics metrics, ILogger<StorePins> logger)
    {
        _index = index;
        _layout = layout;
        _tags = tags;
        _links = links;
        _patterns = pins.Value.Patterns.Select(PinPattern.Parse).ToList();
        _watched = [.. watch.Value.Images];
        _eviction = eviction.Value;
        _logger = logger;
        metrics.ObservePinned(() => Interlocked.Read(ref _bytes));
    }

    /// <summary>Whether anything is pinned by configuration at all.</summary>
    public bool Configured => _patterns.Count > 0 || _watched.Count > 0;

    public long? Bytes => Configured ? Interlocked.Read(ref _bytes) : null;

    public bool CrowdedOut => _crowdedOut;

    public bool IsPinned(in DigestKey key) => _pinned.Contains(key);

    /// <summary>Whether <paramref name="repository"/> is one <c>mirror.pin</c> names.</summary>
    public bool IsPinnedRepository(RepositoryKey repository) => _patterns.Any(p => p.Matches(repository));

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return;
        }

        var pinned = new HashSet<DigestKey>();
        if (_patterns.Count > 0)
        {
            foreach (var (repository, digest) in _links.All)
            {
                if (RepositoryKey.FromValue(repository) is { } key && IsPinnedRepository(key))
                {
                    AddImage(DigestKey.Of(digest), pinned);
                }
            }
        }

        foreach (var image in _watched)
        {
            if (await _tags.TryFindAsync(image.Repository, image.Tag, cancellationToken) is { } record)
            {
                foreach (var digest in new[] { record.Digest, record.Previous }.OfType<string>())
                {
                    if (Digest.TryParse(digest) is { } parsed)
                    {
                        AddImage(DigestKey.Of(parsed), pinned);
                    }
                }
            }
        }

        _pinned = pinned;
        var bytes = pinned.Sum(key => _index.LengthOf(ContentKind.Manifest, key) ?? _index.LengthOf(ContentKind.Blob, key) ?? 0);
        Interlocked.Exchange(ref _bytes, bytes);
        Crowd(bytes);
    }

    /// <summary>Adds <paramref name="key"/> and, for a manifest, what it names (a list's manifests and theirs).</summary>
    private void AddImage(DigestKey key, HashSet<DigestKey> into, int depth = 0)
    {
        if (!into.Add(key) || depth >= 3)
        {
            return;
        }

        foreach (var named in NamedBy(key))
        {
            AddImage(named, into, depth + 1);
        }
    }

    /// <summary>What a stored manifest names: from the index, or from its file when the index does not hold it yet (another node stored it).</summary>
    private IEnumerable<DigestKey> NamedBy(DigestKey key)
    {
        if (_index.NamedBy(key) is { } indexed)
        {
            return indexed;
        }

        if (key.IsSha512)
        {
            return [];
        }

        var path = _layout.PathOf(ContentKind.Manifest, key.ToSha256Digest());
        return File.Exists(path) ? StoreScanner.ReferencesOf(path).Select(DigestKey.Of) : [];
    }

    private void Crowd(long bytes)
    {
        if (_eviction.MaxSize is not { } max)
        {
            _crowdedOut = false;
            return;
        }

        var crowded = bytes > max;
        if (crowded && !_crowdedOut)
        {
            PinLog.PinsOverBudget(_logger, bytes, max);
        }
        else if (!crowded && _crowdedOut)
        {
            PinLog.PinsWithinBudget(_logger, bytes, max);
        }

        _crowdedOut = crowded;
    }
}
