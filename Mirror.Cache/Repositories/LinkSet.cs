using System.Collections.Concurrent;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Repositories;

/// <summary>
/// The links in memory, compact, since a store holds about one per blob: each repository's name is kept
/// once and numbered, and a link is that number and the digest's 32 bytes in a shard's dictionary entry
/// (56 bytes, no object or string of its own). The rare <c>sha512</c> digests are kept whole beside
/// them. Each link carries one flag: whether the manifest it names has had its references linked too.
/// </summary>
internal sealed class LinkSet
{
    private const int ShardCount = 64;

    private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();
    private readonly ConcurrentDictionary<(int Repository, Digest Digest), bool> _sha512 = new();
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Lock _namesGate = new();
    private string[] _names = new string[64];
    private int _nameCount;

    public int Count => _shards.Sum(shard => shard.Count) + _sha512.Count;

    /// <summary>Adds the link; false when it was known (its flag is left as it was).</summary>
    public bool TryAdd(string repository, Digest digest, bool expanded)
    {
        var id = IdOf(repository);
        if (IsSha512(digest))
        {
            return _sha512.TryAdd((id, digest), expanded);
        }

        var key = Key(id, digest);
        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            return shard.Links.TryAdd(key, expanded);
        }
    }

    public bool Contains(string repository, Digest digest) => Find(repository, digest) is not null;

    /// <summary>Whether the link is known with its manifest's references linked.</summary>
    public bool IsExpanded(string repository, Digest digest) => Find(repository, digest) == true;

    /// <summary>Marks a known link's manifest as having had its references linked.</summary>
    public void SetExpanded(string repository, Digest digest)
    {
        var id = IdOf(repository);
        if (IsSha512(digest))
        {
            _sha512[(id, digest)] = true;
            return;
        }

        var key = Key(id, digest);
        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            shard.Links[key] = true;
        }
    }

    /// <summary>
    /// Makes room for about <paramref name="links"/> links at once (before loading a journal), so the
    /// shards' tables are not grown step by step, each step leaving the last table behind as garbage.
    /// </summary>
    public void EnsureCapacity(int links)
    {
        var perShard = links / ShardCount;
        foreach (var shard in _shards)
        {
            lock (shard.Gate)
            {
                // Shards differ from the mean by a few per cent; an eighth more covers them.
                shard.Links.EnsureCapacity(perShard + (perShard / 8) + 16);
            }
        }
    }

    /// <summary>Every repository a link has been added for.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_namesGate)
            {
                return _names[.._nameCount];
            }
        }
    }

    /// <summary>Every link, as the repository's key and the digest; a snapshot taken shard by shard.</summary>
    public IEnumerable<(string Repository, Digest Digest)> All
    {
        get
        {
            foreach (var shard in _shards)
            {
                LinkKey[] keys;
                lock (shard.Gate)
                {
                    keys = [.. shard.Links.Keys];
                }

                // Read after the shard's keys: a repository numbered since an earlier read is in this array.
                var names = Volatile.Read(ref _names);
                foreach (var key in keys)
                {
                    yield return (names[key.Repository], key.ToDigest());
                }
            }

            foreach (var ((id, digest), _) in _sha512)
            {
                yield return (Volatile.Read(ref _names)[id], digest);
            }
        }
    }

    private bool? Find(string repository, Digest digest)
    {
        if (!_ids.TryGetValue(repository, out var id))
        {
            return null;
        }

        if (IsSha512(digest))
        {
            return _sha512.TryGetValue((id, digest), out var flag) ? flag : null;
        }

        var key = Key(id, digest);
        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            return shard.Links.TryGetValue(key, out var expanded) ? expanded : null;
        }
    }

    private int IdOf(string repository)
    {
        if (_ids.TryGetValue(repository, out var id))
        {
            return id;
        }

        lock (_namesGate)
        {
            if (_ids.TryGetValue(repository, out id))
            {
                return id;
            }

            if (_nameCount == _names.Length)
            {
                var grown = new string[_names.Length * 2];
                _names.CopyTo(grown);
                Volatile.Write(ref _names, grown);
            }

            id = _nameCount++;
            _names[id] = repository;
            _ids[repository] = id;
            return id;
        }
    }

    /// <summary>A <c>sha512</c> digest: its key would be only its first half, so it is kept whole.</summary>
    private static bool IsSha512(Digest digest) => digest.Algorithm == "sha512";

    private static LinkKey Key(int repository, Digest digest)
    {
        var key = DigestKey.Of(digest);
        return new LinkKey(key.H0, key.H1, key.H2, key.H3, repository);
    }

    private Shard ShardOf(in LinkKey key) => _shards[(int)((key.H0 ^ (uint)key.Repository) % ShardCount)];

    /// <summary>A <c>sha256</c> digest's 32 bytes and a repository's number: 40 bytes, no references.</summary>
    private readonly record struct LinkKey(ulong H0, ulong H1, ulong H2, ulong H3, int Repository)
    {
        public Digest ToDigest() => DigestKey.Sha256(H0, H1, H2, H3).ToSha256Digest();
    }

    private sealed class Shard
    {
        public Lock Gate { get; } = new();

        public Dictionary<LinkKey, bool> Links { get; } = [];

        public int Count
        {
            get
            {
                lock (Gate)
                {
                    return Links.Count;
                }
            }
        }
    }
}
