using System.Diagnostics.Metrics;

namespace Mirror.Cache.Diagnostics;

/// <summary>
/// The cache's instruments, on the mirror's one <see cref="Meter"/> (the meter factory hands the gateway
/// the same meter for its own): bytes pulled, digest mismatches, fills in flight, evictions and the store's
/// size. docs/operations.md lists every name, type and label.
/// </summary>
public sealed class MirrorMetrics
{
    public const string MeterName = "Mirror";
    public const string Blob = "blob";
    public const string Manifest = "manifest";

    /// <summary>The <c>type</c> of a tag list.</summary>
    public const string TagList = "taglist";

    /// <summary>The <c>type</c> of a referrers index (distribution-spec 1.1's referrers API).</summary>
    public const string Referrers = "referrers";

    private readonly Counter<long> _pulledBytes;
    private readonly Counter<long> _digestMismatches;
    private readonly Counter<long> _rangeRequests;
    private readonly UpDownCounter<long> _fillsInFlight;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _evictedBytes;
    private readonly Counter<long> _leaseWins;
    private readonly Counter<long> _followedFills;
    private readonly Counter<long> _takeovers;
    private readonly Counter<long> _clusterFallbacks;
    private readonly Counter<long> _clusterErrors;
    private readonly Counter<long> _policyDecisions;
    private readonly Counter<long> _upstreamPulls;
    private readonly Counter<long> _heldPulls;
    private readonly Counter<long> _watchDeferred;

    public MirrorMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _pulledBytes = Meter.CreateCounter<long>("registry_proxy_pulled_bytes", "By", "Bytes received from the upstream");
        _digestMismatches = Meter.CreateCounter<long>("mirror_digest_mismatches", description: "Upstream content that did not hash to its digest");
        _rangeRequests = Meter.CreateCounter<long>("mirror_upstream_range_requests", description: "Ranged upstream requests for clients' ranges a fill would reach later (not fills, not stored)");
        _fillsInFlight = Meter.CreateUpDownCounter<long>("mirror_fills_in_flight", description: "Blob fills running now");
        _evictions = Meter.CreateCounter<long>("mirror_evictions", description: "Files removed from the store by expiry or the size budget");
        _evictedBytes = Meter.CreateCounter<long>("mirror_evicted_bytes", "By", "Bytes removed from the store by expiry or the size budget");
        _leaseWins = Meter.CreateCounter<long>("mirror_cluster_lease_wins", description: "Fills and sweeps this node ran for the cluster, holding their lease");
        _followedFills = Meter.CreateCounter<long>("mirror_cluster_followed_fills", description: "Fills this node's clients followed while another node fetched");
        _takeovers = Meter.CreateCounter<long>("mirror_cluster_takeovers", description: "Fills this node took over from a node that stopped filling");
        _clusterFallbacks = Meter.CreateCounter<long>("mirror_cluster_fallbacks", description: "Times this node went on alone because the coordinator could not be asked");
        _clusterErrors = Meter.CreateCounter<long>("mirror_cluster_redis_errors", description: "Requests to Redis that failed");
        _policyDecisions = Meter.CreateCounter<long>("mirror_policy_decisions", description: "Manifests mirror.policy served or refused, by result");
        _upstreamPulls = Meter.CreateCounter<long>("mirror_upstream_pulls", description: "Manifest GETs that reached an upstream and were answered 200: pulls the mirror spent of its quota");
        _heldPulls = Meter.CreateCounter<long>("mirror_upstream_pulls_held", description: "Manifest GETs not sent upstream because its pull quota was spent");
        _watchDeferred = Meter.CreateCounter<long>("mirror_watch_deferred", description: "Rounds of a watched tag skipped because the pull budget deferred background work");
    }

    public Meter Meter { get; }

    internal void Pulled(string upstream, string type, long bytes) => _pulledBytes.Add(bytes, Type(type), Upstream(upstream));

    internal void DigestMismatch(string upstream, string type) => _digestMismatches.Add(1, Type(type), Upstream(upstream));

    internal void RangeRequested(string upstream) => _rangeRequests.Add(1, Upstream(upstream));

    internal void LeaseWon(bool takeover)
    {
        _leaseWins.Add(1, new KeyValuePair<string, object?>("lease", "fill"));
        if (takeover)
        {
            _takeovers.Add(1);
        }
    }

    internal void SweepLeaseWon() => _leaseWins.Add(1, new KeyValuePair<string, object?>("lease", "sweep"));

    internal void FillFollowed() => _followedFills.Add(1);

    internal void ClusterFallback() => _clusterFallbacks.Add(1);

    /// <summary>Counts a request to the cluster's coordinator that failed.</summary>
    public void ClusterError() => _clusterErrors.Add(1);

    /// <summary>Counts a decision of <c>mirror.policy</c> on a manifest request (<c>result</c>: allowed, unsigned, untrusted-key, digest-mismatch, no-rule).</summary>
    internal void PolicyDecision(string upstream, string result) => _policyDecisions.Add(1, Upstream(upstream), new KeyValuePair<string, object?>("result", result));

    internal void FillStarted() => _fillsInFlight.Add(1);

    internal void FillEnded() => _fillsInFlight.Add(-1);

    internal void Evicted(long bytes)
    {
        _evictions.Add(1);
        _evictedBytes.Add(bytes);
    }

    internal void UpstreamPulled(string upstream) => _upstreamPulls.Add(1, Upstream(upstream));

    internal void PullHeld(string upstream) => _heldPulls.Add(1, Upstream(upstream));

    /// <summary>Observes each upstream's pull quota as it last said it, from <paramref name="quotas"/>: a gauge each, present once the upstream has said.</summary>
    internal void ObserveQuota(Func<IEnumerable<(string Upstream, long? Limit, long? Remaining)>> quotas)
    {
        Meter.CreateObservableGauge(
            "mirror_upstream_pulls_limit",
            () => quotas().Where(q => q.Limit is not null).Select(q => new Measurement<long>(q.Limit!.Value, Upstream(q.Upstream))),
            description: "The pull quota's limit per window, as the upstream last said it (ratelimit-limit)");
        Meter.CreateObservableGauge(
            "mirror_upstream_pulls_remaining",
            () => quotas().Where(q => q.Remaining is not null).Select(q => new Measurement<long>(q.Remaining!.Value, Upstream(q.Upstream))),
            description: "The pulls left of the quota, as the upstream last said it (ratelimit-remaining)");
    }

    /// <summary>Observes the store's size and file count from <paramref name="store"/>.</summary>
    internal void ObserveStore(IStoreSize store)
    {
        Meter.CreateObservableGauge("mirror_store_bytes", () => store.Bytes, "By", "Bytes of content in the store");
        Meter.CreateObservableGauge("mirror_store_blobs", () => store.Blobs, description: "Blobs in the store");
        Meter.CreateObservableGauge("mirror_store_manifests", () => store.Manifests, description: "Manifests in the store");
    }

    /// <summary>Counts a watched tag's round skipped on <paramref name="upstream"/> because the pull budget deferred it.</summary>
    internal void WatchDeferred(string upstream) => _watchDeferred.Add(1, Upstream(upstream));

    /// <summary>Observes the bytes of pinned content (<c>mirror.pin</c> and watched images).</summary>
    internal void ObservePinned(Func<long> bytes) =>
        Meter.CreateObservableGauge("mirror_pinned_bytes", bytes, "By", "Bytes of pinned and watched content in the store, which expiry and the size budget never remove");

    public static KeyValuePair<string, object?> Type(string type) => new("type", type);

    /// <summary>The <c>upstream</c> label: the registry host clients name.</summary>
    public static KeyValuePair<string, object?> Upstream(string upstream) => new("upstream", upstream);
}
