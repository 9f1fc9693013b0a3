using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Proofs;

/// <summary>
/// Whether a registry may have content the store holds: only once it has served bytes that hash to the
/// digest (<see cref="IContentProofs"/>). Until then the digest is a miss for that registry: it is fetched
/// from there and checked, and the one copy kept. Within one registry nothing changes: which of its
/// repositories holds what is still the links' question.
/// </summary>
/// <remarks>
/// Content stored before proofs were kept is no registry's, with one exception, decided once at start: when
/// the first upstream is the only registry configured and the only one the store's links and tags name, it
/// has always been the only registry, so that content is its own (and recorded so at its first use, which
/// keeps it so when registries are added later). Otherwise each registry proves such content with one fetch.
/// </remarks>
internal sealed class Provenance(IContentProofs proofs, IOptions<ProofOptions> options, ILogger<Provenance> logger)
{
    private readonly TaskCompletionSource<bool> _unattributedIsFirstUpstreams = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Whether <paramref name="repository"/>'s registry has served bytes that hash to <paramref name="digest"/>,
    /// which the store holds (asked only then: content from before proofs is adopted here).
    /// </summary>
    public async ValueTask<bool> HasServedAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken)
    {
        var status = await proofs.CheckAsync(RegistryOf(repository), digest, cancellationToken);
        if (status != ProofStatus.Unattributed || repository.Upstream is not null)
        {
            return status == ProofStatus.Proven;
        }

        if (!_unattributedIsFirstUpstreams.Task.IsCompleted)
        {
            await _unattributedIsFirstUpstreams.Task.WaitAsync(cancellationToken);
        }

        if (!_unattributedIsFirstUpstreams.Task.Result)
        {
            return false;
        }

        await proofs.ProveAsync(RegistryOf(repository), digest, cancellationToken);
        return true;
    }

    /// <summary>Records that <paramref name="repository"/>'s registry has served bytes that hash to <paramref name="digest"/>.</summary>
    public ValueTask RecordAsync(RepositoryKey repository, Digest digest, CancellationToken cancellationToken) =>
        proofs.ProveAsync(RegistryOf(repository), digest, cancellationToken);

    /// <summary>
    /// Decides, once the links are loaded, whose content stored before proofs is: the first upstream's when
    /// <paramref name="anotherRegistryKnown"/> is false and no other registry is configured; nobody's otherwise.
    /// </summary>
    public void Settle(bool anotherRegistryKnown)
    {
        var firstUpstreams = !options.Value.OtherRegistries && !anotherRegistryKnown;
        if (_unattributedIsFirstUpstreams.TrySetResult(firstUpstreams))
        {
            ProofLog.UnattributedContent(logger, firstUpstreams ? "the first upstream's, its only registry" : "proven by each registry with one fetch");
        }
    }

    /// <summary>The registry of a repository as proofs name it: its host, or <c>""</c> for the first upstream.</summary>
    private static string RegistryOf(RepositoryKey repository) => repository.Upstream ?? string.Empty;
}
