using System.Diagnostics.Metrics;

namespace Mirror.Cache.Diagnostics;

/// <summary>
/// The mirror's one <see cref="Meter"/> and its instruments. The <c>registry_proxy_*</c> names follow
/// distribution's proxy metrics so existing dashboards fit; the README lists every name, type and label.
/// </summary>
internal sealed class MirrorMetrics
{
    public const string MeterName = "Mirror";
    public const string Blob = "blob";
    public const string Manifest = "manifest";

    /// <summary>The <c>type</c> of a tag list, counted only by <see cref="Stale"/>.</summary>
    public const string TagList = "taglist";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _pulledBytes;
    private readonly Counter<long> _pushedBytes;
    private readonly Counter<long> _coalesced;
    private readonly Counter<long> _digestMismatches;
    private readonly Counter<long> _staleResponses;
    private readonly Counter<long> _upstreamRequests;
    private readonly Histogram<double> _upstreamDuration;
    private readonly UpDownCounter<long> _fillsInFlight;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _evictedBytes;
    private readonly Counter<long> _tokenFetches;

    public MirrorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Meter = meter;
        _requests = meter.CreateCounter<long>("registry_proxy_requests", description: "Manifest and blob requests");
        _hits = meter.CreateCounter<long>("registry_proxy_hits", description: "Requests served from the store");
        _misses = meter.CreateCounter<long>("registry_proxy_misses", description: "Requests whose content came from the upstream");
        _pulledBytes = meter.CreateCounter<long>("registry_proxy_pulled_bytes", "By", "Bytes received from the upstream");
        _pushedBytes = meter.CreateCounter<long>("registry_proxy_pushed_bytes", "By", "Bytes sent to clients");
        _coalesced = meter.CreateCounter<long>("mirror_coalesced_requests", description: "Misses that joined an upstream fetch another request started");
        _digestMismatches = meter.CreateCounter<long>("mirror_digest_mismatches", description: "Upstream content that did not hash to its digest");
        _staleResponses = meter.CreateCounter<long>("mirror_stale_responses", description: "Tags served from the store because the upstream could not be asked");
        _upstreamRequests = meter.CreateCounter<long>("mirror_upstream_requests", description: "Requests to the upstream registry");
        _upstreamDuration = meter.CreateHistogram<double>(
            "mirror_upstream_request_duration",
            "s",
            "Time from an upstream request to its response headers",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _fillsInFlight = meter.CreateUpDownCounter<long>("mirror_fills_in_flight", description: "Blob fills running now");
        _evictions = meter.CreateCounter<long>("mirror_evictions", description: "Files removed from the store by expiry or the size budget");
        _evictedBytes = meter.CreateCounter<long>("mirror_evicted_bytes", "By", "Bytes removed from the store by expiry or the size budget");
        _tokenFetches = meter.CreateCounter<long>("mirror_token_fetches", description: "Token requests to the upstream's token realm");
    }

    public Meter Meter { get; }

    public void Request(string type) => _requests.Add(1, Type(type));

    public void Hit(string type) => _hits.Add(1, Type(type));

    public void Miss(string type, bool coalesced)
    {
        _misses.Add(1, Type(type));
        if (coalesced)
        {
            _coalesced.Add(1, Type(type));
        }
    }

    public void Pulled(string type, long bytes) => _pulledBytes.Add(bytes, Type(type));

    public void Pushed(string type, long bytes) => _pushedBytes.Add(bytes, Type(type));

    public void DigestMismatch(string type) => _digestMismatches.Add(1, Type(type));

    public void Stale(string type) => _staleResponses.Add(1, Type(type));

    public void UpstreamRequest(string method, string status, double seconds)
    {
        _upstreamRequests.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("status", status));
        _upstreamDuration.Record(seconds, new KeyValuePair<string, object?>("method", method));
    }

    public void FillStarted() => _fillsInFlight.Add(1);

    public void FillEnded() => _fillsInFlight.Add(-1);

    public void Evicted(long bytes)
    {
        _evictions.Add(1);
        _evictedBytes.Add(bytes);
    }

    public void TokenFetch(bool succeeded) => _tokenFetches.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "success" : "failure"));

    /// <summary>Observes the store's size and file count from <paramref name="index"/>.</summary>
    public void ObserveStore(Func<(long Bytes, long Blobs, long Manifests)> index)
    {
        Meter.CreateObservableGauge("mirror_store_bytes", () => index().Bytes, "By", "Bytes of content in the store");
        Meter.CreateObservableGauge("mirror_store_blobs", () => index().Blobs, description: "Blobs in the store");
        Meter.CreateObservableGauge("mirror_store_manifests", () => index().Manifests, description: "Manifests in the store");
    }

    private static KeyValuePair<string, object?> Type(string type) => new("type", type);
}
