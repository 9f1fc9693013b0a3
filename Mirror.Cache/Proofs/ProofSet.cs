using System.Collections.Concurrent;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;

namespace Mirror.Cache.Proofs;

/// <summary>
/// Proofs in memory, compact as the links are (a <see cref="LinkSet"/> keyed by registry instead of
/// repository: a registry's number and the digest's bytes, about 56 bytes a proof), with the registries
/// seen, so "has any registry proven it" is a look-up per registry (a handful).
/// </summary>
internal sealed class ProofSet
{
    private readonly LinkSet _proofs = new();
    private readonly ConcurrentDictionary<string, byte> _registries = new(StringComparer.Ordinal);

    public int Count => _proofs.Count;

    /// <summary>Every proof, as the registry and the digest.</summary>
    public IEnumerable<(string Registry, Digest Digest)> All => _proofs.All;

    public bool Contains(string registry, Digest digest) => _proofs.Contains(registry, digest);

    /// <summary>Adds the proof; false when it was known.</summary>
    public bool Add(string registry, Digest digest)
    {
        _registries.TryAdd(registry, 0);
        return _proofs.TryAdd(registry, digest, expanded: false);
    }

    /// <summary>Whether a registry other than <paramref name="registry"/> has proven <paramref name="digest"/>.</summary>
    public bool ProvenByAnother(string registry, Digest digest) =>
        _registries.Keys.Any(other => other != registry && _proofs.Contains(other, digest));

    /// <summary>Makes room for about <paramref name="count"/> proofs at once, before loading them.</summary>
    public void EnsureCapacity(int count) => _proofs.EnsureCapacity(count);
}
