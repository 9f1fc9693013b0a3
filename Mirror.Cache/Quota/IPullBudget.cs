namespace Mirror.Cache.Quota;

/// <summary>
/// Whether background work (watched images) may spend a pull on an upstream now: a manifest <c>GET</c> that
/// the upstream counts against its quota (Docker Hub's <c>ratelimit-remaining</c>). Clients' own pulls are
/// not asked here; they follow the upstream's hold.
/// </summary>
public interface IPullBudget
{
    /// <summary>
    /// <c>null</c> when background work may spend a pull on <paramref name="upstream"/> (a registry host, as
    /// <see cref="Protocol.RepositoryKey.Upstream"/> writes it, <c>""</c> for the first upstream); otherwise
    /// until when it waits, and why.
    /// </summary>
    PullDeferral? DeferBackground(string upstream);
}
