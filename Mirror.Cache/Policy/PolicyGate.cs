using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Manifests;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Policy;

/// <summary>
/// <c>mirror.policy</c> at the pull: whether a manifest found for a client is served (the first rule covering
/// its repository decides: <c>allow</c>, or a cosign signature in the same repository that verifies against one
/// of the rule's keys and names the manifest's digest), and, under a <c>sigstore</c> rule, whether a blob is
/// (only when a manifest served there names it). An index served lets its platform manifests through with it;
/// signatures and other artifacts (<see cref="ArtifactManifest"/>) are served under their companion tags or
/// as referrers. Signatures are read through the cache, so verdicts hold while the upstream is down.
/// </summary>
public sealed class PolicyGate
{
    private static readonly string SignatureAccept = $"{MediaTypes.OciManifest}, {MediaTypes.DockerManifest}";

    private readonly PolicyOptions _options;
    private readonly ManifestResolver _manifests;
    private readonly BlobCache _blobs;
    private readonly MirrorMetrics _metrics;
    private readonly ILogger<PolicyGate> _logger;
    private readonly PolicyVerdicts _verdicts;
    private readonly ConcurrentDictionary<string, PolicyRule?> _rules = new(StringComparer.Ordinal);

    internal PolicyGate(IOptions<PolicyOptions> options, ManifestResolver manifests, BlobCache blobs, MirrorMetrics metrics, TimeProvider time, ILogger<PolicyGate> logger)
    {
        _options = options.Value;
        _manifests = manifests;
        _blobs = blobs;
        _metrics = metrics;
        _logger = logger;
        _verdicts = new PolicyVerdicts(time, _options.RefusalTtl);
    }

    public bool IsOn => _options.IsOn;

    /// <summary>The refusals of late, newest first.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Upstream, PolicyVerdict Verdict)> RecentRefusals => _verdicts.RecentRefusals;

    /// <summary>
    /// The verdict on the manifest <paramref name="lookup"/> found for <paramref name="reference"/> in
    /// <paramref name="repository"/>, called <paramref name="name"/> in the policy's patterns.
    /// </summary>
    public async Task<PolicyVerdict> CheckManifestAsync(IUpstream upstream, RepositoryKey repository, string name, Reference reference, ManifestLookup lookup, CancellationToken cancellationToken)
    {
        var digest = lookup.Digest!;
        var verdict = await DecideAsync(upstream, repository, name, reference, lookup, cancellationToken);
        _metrics.PolicyDecision(upstream.Name, verdict.Label);
        if (!verdict.Allowed)
        {
            return verdict;
        }

        if (lookup.Content.Length > 0 && RuleFor(name) is { RequiresSignature: true } && !_verdicts.Expanded(repository, digest))
        {
            // What a served manifest names may be served in its repository: an index's platform manifests, an
            // image's config and layers.
            var named = ManifestReferences.Of(lookup.Content.Span);
            _verdicts.AllowBlobs(repository, digest, named);
            if (ArtifactManifest.IsIndex(lookup.MediaType) && !IsCompanionTag(reference))
            {
                foreach (var child in named)
                {
                    _verdicts.Keep(repository, child, new PolicyVerdict(PolicyResult.Allowed, $"{name}@{child} is a platform manifest of {name}@{digest}, which is signed"));
                }
            }
        }

        return verdict;
    }

    /// <summary>Whether a blob may be served: always but under a <c>sigstore</c> rule, where a served manifest must name it.</summary>
    public PolicyVerdict CheckBlob(RepositoryKey repository, string name, Digest digest) => RuleFor(name) switch
    {
        null => NoRule(name),
        { RequiresSignature: false, Allow: var allow } rule => allow ? new PolicyVerdict(PolicyResult.Allowed, rule.Name) : Refusal(rule, name),
        var rule when _verdicts.BlobAllowed(repository, digest) => new PolicyVerdict(PolicyResult.Allowed, rule.Name),
        var rule => new PolicyVerdict(PolicyResult.NoSignature, $"{name}: blob {digest} refused by {rule.Name}: no manifest served from this repository names it (pull the image's manifest first)"),
    };

    private async Task<PolicyVerdict> DecideAsync(IUpstream upstream, RepositoryKey repository, string name, Reference reference, ManifestLookup lookup, CancellationToken cancellationToken)
    {
        var digest = lookup.Digest!;
        switch (RuleFor(name))
        {
            case null:
                return NoRule(name);
            case { RequiresSignature: false } rule:
                return rule.Allow ? new PolicyVerdict(PolicyResult.Allowed, $"{name} is allowed by {rule.Name}") : Refusal(rule, name);
            case var rule:
                if (IsCompanion(reference, lookup))
                {
                    return new PolicyVerdict(PolicyResult.Allowed, $"{name}@{digest} is a signature or artifact, served under {rule.Name}");
                }

                if (_verdicts.TryFind(repository, digest) is { } kept)
                {
                    return kept;
                }

                var verdict = await VerifyAsync(upstream, repository, name, digest, rule, cancellationToken);
                _verdicts.Keep(repository, digest, verdict);
                if (verdict.Allowed)
                {
                    PolicyLog.Allowed(_logger, verdict.Reason);
                }
                else
                {
                    PolicyLog.Refused(_logger, verdict.Reason, verdict.Label);
                    _verdicts.Refused(upstream.Name, verdict);
                }

                return verdict;
        }
    }

    /// <summary>
    /// A signature, attestation or SBOM under its companion tag, the referrers tag schema's index, or a referrer
    /// (a manifest with a <c>subject</c>): served as long as it is no runnable image. A HEAD has no bytes to
    /// look at and shows nothing to run.
    /// </summary>
    private static bool IsCompanion(Reference reference, ManifestLookup lookup)
    {
        if (lookup.Content.Length == 0)
        {
            return IsCompanionTag(reference);
        }

        if (IsCompanionTag(reference) && ArtifactManifest.IsIndex(lookup.MediaType))
        {
            return true;
        }

        return (IsCompanionTag(reference) || lookup.Content.Span.IndexOf("\"subject\""u8) >= 0) && ArtifactManifest.IsArtifact(lookup.Content.Span);
    }

    private static bool IsCompanionTag(Reference reference) => reference.Tag is { } tag && SignatureTags.IsCompanion(tag);

    /// <summary>Reads the signature tag of <paramref name="digest"/> and its payloads through the cache, and decides.</summary>
    private async Task<PolicyVerdict> VerifyAsync(IUpstream upstream, RepositoryKey repository, string name, Digest digest, PolicyRule rule, CancellationToken cancellationToken)
    {
        var tag = SignatureTags.Of(digest, SignatureTags.Signature);
        var signatureManifest = await _manifests.ResolveAsync(upstream, repository, Reference.TryParse(tag)!, SignatureAccept, describeOnly: false, cancellationToken);
        if (!signatureManifest.Found)
        {
            var why = signatureManifest.Status == SourceStatus.NotFound ? "no signature (no tag " + tag + ")" : $"its signature tag {tag} could not be read ({signatureManifest.Status})";
            return new PolicyVerdict(PolicyResult.NoSignature, $"{name}@{digest} refused by {rule.Name}: {why}; accepted are cosign key-based signatures under the tag sha256-<hex>.sig");
        }

        var signatures = CosignSignature.ReadAll(signatureManifest.Content.Span);
        if (signatures.Count == 0)
        {
            return new PolicyVerdict(PolicyResult.NoSignature, $"{name}@{digest} refused by {rule.Name}: {tag} holds no cosign signature layer ({CosignSignature.PayloadType} with {CosignSignature.SignatureAnnotation})");
        }

        var read = new List<(CosignSignature, byte[]?)>();
        foreach (var signature in signatures)
        {
            read.Add((signature, await ReadPayloadAsync(upstream, repository, signature, cancellationToken)));
        }

        return SignatureDecision.Decide(name, digest, read, rule);
    }

    /// <summary>A signature's payload through the blob cache (stored with the image), checked against its digest; <c>null</c> when it cannot be had.</summary>
    private async Task<byte[]?> ReadPayloadAsync(IUpstream upstream, RepositoryKey repository, CosignSignature signature, CancellationToken cancellationToken)
    {
        using var lookup = await _blobs.OpenAsync(upstream, repository, signature.Payload, cancellationToken);
        // The layer's size is bounded (CosignSignature); the bytes must match its digest, whatever they are.
        var buffer = new byte[signature.Size];
        var length = 0;
        switch (lookup)
        {
            case StoredBlob stored when stored.Lease.Length == signature.Size:
                await using (var file = File.OpenRead(stored.Lease.Path))
                {
                    length = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
                }

                break;
            case FillingBlob filling:
                while (length < buffer.Length)
                {
                    var read = await filling.Reader.ReadAsync(buffer.AsMemory(length), length, buffer.Length, cancellationToken);
                    if (read.Failed)
                    {
                        return null;
                    }

                    if (read.Count == 0)
                    {
                        break;
                    }

                    length += read.Count;
                }

                break;
            default:
                return null;
        }

        var payload = buffer[..length];
        return signature.Payload.Matches(payload) ? payload : null;
    }

    /// <summary>The rule of a repository, its patterns matched once per name (bounded, as the verdicts are).</summary>
    private PolicyRule? RuleFor(string name)
    {
        if (_rules.TryGetValue(name, out var rule))
        {
            return rule;
        }

        if (_rules.Count >= 100_000)
        {
            _rules.Clear();
        }

        return _rules[name] = _options.RuleFor(name);
    }

    private static PolicyVerdict NoRule(string name) => new(PolicyResult.NoRule, $"{name} refused: no rule of mirror.policy covers this repository");

    private static PolicyVerdict Refusal(PolicyRule rule, string name) => new(PolicyResult.NoRule, $"{name} refused by {rule.Name} (allow: false)");
}
