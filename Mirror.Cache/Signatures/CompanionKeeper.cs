using System.Collections.Concurrent;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Signatures;

/// <summary>
/// Keeps what belongs to an image with it: when a manifest is served, the stored manifests its companion tags
/// name in the same repository (cosign's <c>.sig</c>, <c>.att</c>, <c>.sbom</c>, the referrers tag schema's
/// index, and the upstream's referrers answer) are used with it, and so are their blobs (a manifest's use is
/// carried to what it names). Expiry and the size budget then remove them no earlier than the image. Nothing
/// is fetched: what was never pulled is not kept.
/// </summary>
internal sealed class CompanionKeeper(ITagStore tags, ManifestStore store, TimeProvider time)
{
    /// <summary>A manifest served more often than this carries its use to its companions once.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(string Repository, Digest Digest), long> _kept = new();

    /// <summary>Uses the stored companions of <paramref name="digest"/> in <paramref name="repository"/>.</summary>
    public async Task KeepWithAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        var key = (repository.Value, digest);
        if (_kept.TryGetValue(key, out var last) && now - last < Interval.Ticks)
        {
            return;
        }

        if (_kept.Count >= MaxRemembered)
        {
            _kept.Clear();
        }

        _kept[key] = now;
        foreach (var tag in SignatureTags.Suffixes.Select(suffix => SignatureTags.Of(digest, suffix)).Append(SignatureTags.ReferrersRecord(digest)))
        {
            if (await tags.TryFindAsync(repository, tag, cancellationToken) is { } record && Digest.TryParse(record.Digest) is { } companion && store.Contains(companion))
            {
                // Read to record the use; the bytes are not needed here.
                _ = await store.TryFindAsync(companion, cancellationToken);
            }
        }
    }
}
