using System.Collections.Concurrent;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Policy;

/// <summary>
/// The verdicts of <c>mirror.policy</c>, per repository and digest (never per digest alone: one digest may be
/// signed in one repository and not in another), and the blobs verified manifests name, per repository. A
/// verdict to serve lasts as long as the process (its keys are read at start); a refusal for
/// <see cref="PolicyOptions.RefusalTtl"/>. In memory, bounded: past the bound all is forgotten and decided
/// again, which only costs reads of signatures.
/// </summary>
internal sealed class PolicyVerdicts(TimeProvider time, TimeSpan refusalTtl)
{
    private const int MaxEntries = 1_000_000;

    private readonly ConcurrentDictionary<(string Repository, Digest Digest), (PolicyVerdict Verdict, long Until)> _verdicts = new();
    private readonly ConcurrentDictionary<(string Repository, Digest Digest), byte> _blobs = new();

    /// <summary>The manifests whose references have been allowed already: a cached pull reads no JSON.</summary>
    private readonly ConcurrentDictionary<(string Repository, Digest Digest), byte> _expanded = new();

    /// <summary>The recent refusals, newest first, for the status page.</summary>
    private readonly ConcurrentQueue<(DateTimeOffset At, string Upstream, PolicyVerdict Verdict)> _refusals = new();

    public PolicyVerdict? TryFind(RepositoryKey repository, Digest digest) =>
        _verdicts.TryGetValue((repository.Value, digest), out var kept) && kept.Until > time.GetUtcNow().UtcTicks ? kept.Verdict : null;

    public void Keep(RepositoryKey repository, Digest digest, PolicyVerdict verdict)
    {
        Bound(_verdicts.Count);
        _verdicts[(repository.Value, digest)] = (verdict, verdict.Allowed ? long.MaxValue : (time.GetUtcNow() + refusalTtl).UtcTicks);
    }

    /// <summary>Whether what <paramref name="digest"/> names has been allowed in <paramref name="repository"/> (since the last bound).</summary>
    public bool Expanded(RepositoryKey repository, Digest digest) => _expanded.ContainsKey((repository.Value, digest));

    /// <summary>The blobs a served manifest (<paramref name="manifest"/>) names may be served in its repository.</summary>
    public void AllowBlobs(RepositoryKey repository, Digest manifest, IEnumerable<Digest> digests)
    {
        Bound(_blobs.Count);
        foreach (var digest in digests)
        {
            _blobs[(repository.Value, digest)] = 0;
        }

        _expanded[(repository.Value, manifest)] = 0;
    }

    public bool BlobAllowed(RepositoryKey repository, Digest digest) => _blobs.ContainsKey((repository.Value, digest));

    public void Refused(string upstream, PolicyVerdict verdict)
    {
        _refusals.Enqueue((time.GetUtcNow(), upstream, verdict));
        while (_refusals.Count > 20 && _refusals.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<(DateTimeOffset At, string Upstream, PolicyVerdict Verdict)> RecentRefusals => _refusals.Reverse().ToList();

    /// <summary>Past the bound everything goes together: an expansion remembered without its blobs would refuse them.</summary>
    private void Bound(int count)
    {
        if (count >= MaxEntries)
        {
            _expanded.Clear();
            _blobs.Clear();
            _verdicts.Clear();
        }
    }
}
