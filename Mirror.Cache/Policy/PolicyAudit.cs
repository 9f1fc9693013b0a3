using Microsoft.Extensions.Options;
using Mirror.Cache.Maintenance;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Policy;

/// <summary>
/// <c>verify --policy</c>: every image of the store decided again by <c>mirror.policy</c> from what the store
/// holds alone (the signature tags as last recorded, their manifests and payloads), as the mirror would
/// decide it with the upstream down. Removes nothing. Signatures and other artifacts under their companion
/// tags are not images, and are passed over.
/// </summary>
public sealed class PolicyAudit
{
    private readonly PolicyOptions _options;
    private readonly ManifestStore _manifests;
    private readonly BlobStore _blobs;
    private readonly ITagStore _tags;

    internal PolicyAudit(IOptions<PolicyOptions> options, ManifestStore manifests, BlobStore blobs, ITagStore tags)
    {
        _options = options.Value;
        _manifests = manifests;
        _blobs = blobs;
        _tags = tags;
    }

    public bool IsOn => _options.IsOn;

    /// <summary>The verdict on each image of <paramref name="inventory"/>; after the store is loaded.</summary>
    public async Task<IReadOnlyList<AuditedImage>> AuditAsync(StoreInventory inventory, CancellationToken cancellationToken)
    {
        var audited = new List<AuditedImage>();
        foreach (var repository in inventory.Repositories)
        {
            // The name as the policy's patterns spell it: docker.io's alone, another registry's after its host.
            var name = repository.Key.ToString();
            foreach (var image in repository.Images.Where(i => i.Tags.Count == 0 || !i.Tags.All(SignatureTags.IsCompanion)))
            {
                audited.Add(new AuditedImage(name, image.Digest, image.Tags, await DecideAsync(repository.Key, name, image.Digest, cancellationToken)));
            }
        }

        return audited;
    }

    private async Task<PolicyVerdict> DecideAsync(RepositoryKey repository, string name, Digest digest, CancellationToken cancellationToken)
    {
        var rule = _options.RuleFor(name);
        if (rule is null || !rule.RequiresSignature)
        {
            return rule is { Allow: true }
                ? new PolicyVerdict(PolicyResult.Allowed, $"{name} is allowed by {rule.Name}")
                : new PolicyVerdict(PolicyResult.NoRule, rule is null ? $"{name}: no rule of mirror.policy covers this repository" : $"{name} refused by {rule.Name} (allow: false)");
        }

        var tag = SignatureTags.Of(digest, SignatureTags.Signature);
        var record = await _tags.TryFindAsync(repository, tag, cancellationToken);
        if (record is null || Digest.TryParse(record.Digest) is not { } signatureDigest || await _manifests.TryFindAsync(signatureDigest, cancellationToken) is not { } signatureManifest)
        {
            return new PolicyVerdict(PolicyResult.NoSignature, $"{name}@{digest} refused by {rule.Name}: no signature in the store (no tag {tag})");
        }

        var read = new List<(CosignSignature, byte[]?)>();
        foreach (var signature in CosignSignature.ReadAll(signatureManifest.Content.Span))
        {
            read.Add((signature, await ReadStoredAsync(signature, cancellationToken)));
        }

        return read.Count == 0
            ? new PolicyVerdict(PolicyResult.NoSignature, $"{name}@{digest} refused by {rule.Name}: {tag} holds no cosign signature layer")
            : SignatureDecision.Decide(name, digest, read, rule);
    }

    private async Task<byte[]?> ReadStoredAsync(CosignSignature signature, CancellationToken cancellationToken)
    {
        using var lease = _blobs.TryOpen(signature.Payload);
        if (lease is null || lease.Length != signature.Size)
        {
            return null;
        }

        var payload = await File.ReadAllBytesAsync(lease.Path, cancellationToken);
        return signature.Payload.Matches(payload) ? payload : null;
    }
}
