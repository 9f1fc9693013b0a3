using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Policy;
using Mirror.Cache.Quota;
using Mirror.Cache.Storage;
using Mirror.Cache.Watch;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Status;

/// <summary>Gathers a <see cref="StatusReport"/> from where each fact lives: the registries, the traffic and pull histories, the store and its fills, the policy's refusals, the watched images.</summary>
internal sealed class StatusReporter(
    MirroredRegistries registries,
    TrafficHistory traffic,
    PullHistory pulls,
    StoreIndex index,
    StoreLayout layout,
    FillsInFlight fills,
    PolicyGate policy,
    PullQuota quota,
    WatchStatus watch,
    IOptions<EvictionOptions> eviction,
    TimeProvider time)
{
    public const int Top = 10;

    public async Task<StatusReport> ReportAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = pulls.LastDay();
        return new StatusReport(
            now,
            now - traffic.Started,
            registries.All.Select(r => UpstreamOf(r, now)).ToList(),
            traffic.Total,
            traffic.LastHour(),
            new StoreState(index.Bytes, eviction.Value.MaxSize, index.Blobs, index.Manifests, FreeBytes()),
            day.Where(a => a.Pulls > 0).OrderByDescending(a => a.Pulls).ThenBy(a => a.Repository, StringComparer.Ordinal).Take(Top).ToList(),
            day.OrderByDescending(a => a.Bytes).ThenBy(a => a.Repository, StringComparer.Ordinal).Take(Top).ToList(),
            pulls.Last(),
            fills.Now().Select(f => new FillStatus(f.Repository.ToString(), f.Digest.ToString(), f.Written, f.Length, f.BytesPerSecond, f.Elapsed.TotalSeconds, f.Clients)).ToList(),
            policy.RecentRefusals.Select(r => new PolicyRefusal(r.At, r.Upstream, r.Verdict.Label, r.Verdict.Reason)).ToList(),
            new WatchState(watch.Watcher, await watch.NowAsync(cancellationToken), watch.PinnedBytes));
    }

    private UpstreamState UpstreamOf(MirroredRegistry registry, DateTimeOffset now)
    {
        var health = registry.Health;
        var detail = health.Reachable
            ? health.LastSuccess is { } at ? $"last answered {at:u}" : "not asked yet"
            : $"unreachable since {health.LastFailure:u}: {health.LastError}";
        return new UpstreamState(registry.Host, registry.Options.RemoteUrl.ToString(), health.Reachable, detail, QuotaOf(registry.Host, now));
    }

    /// <summary>The upstream's pull quota as this node knows it; <c>null</c> until the upstream has said anything of it.</summary>
    private QuotaState? QuotaOf(string host, DateTimeOffset now)
    {
        if (quota.Of(host) is not { } record)
        {
            return null;
        }

        var hold = record.Hold is { } h && h.HoldsAt(now) ? h : null;
        return new QuotaState(
            record.Reading?.Limit,
            record.Reading?.Remaining,
            (long)record.Window.TotalSeconds,
            record.Source.Length > 0 ? record.Source : null,
            record.Reading?.At,
            hold is not null,
            hold?.Until,
            hold?.Reason,
            record.Spent);
    }

    private long? FreeBytes()
    {
        try
        {
            return new DriveInfo(layout.Root).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
