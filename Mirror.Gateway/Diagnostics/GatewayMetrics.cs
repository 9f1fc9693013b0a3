using System.Diagnostics.Metrics;
using Mirror.Cache.Diagnostics;

namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// The gateway's instruments, on the mirror's one meter (the meter factory hands out the same
/// <see cref="Meter"/> for the same name): requests and how they were answered, bytes sent to clients,
/// requests to the upstream and its token realm, and client credentials checked. The
/// <c>registry_proxy_*</c> names follow distribution's proxy metrics so existing dashboards fit;
/// docs/operations.md lists every name, type and label.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _pushedBytes;
    private readonly Counter<long> _coalesced;
    private readonly Counter<long> _staleResponses;
    private readonly Counter<long> _upstreamRequests;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _tokenFetches;
    private readonly Counter<long> _credentialChecks;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MirrorMetrics.MeterName);
        _requests = meter.CreateCounter<long>("registry_proxy_requests", description: "Manifest, blob and referrers requests");
        _hits = meter.CreateCounter<long>("registry_proxy_hits", description: "Requests served from the store");
        _misses = meter.CreateCounter<long>("registry_proxy_misses", description: "Requests whose content came from the upstream");
        _pushedBytes = meter.CreateCounter<long>("registry_proxy_pushed_bytes", "By", "Bytes sent to clients");
        _coalesced = meter.CreateCounter<long>("mirror_coalesced_requests", description: "Misses that joined an upstream fetch another request started");
        _staleResponses = meter.CreateCounter<long>("mirror_stale_responses", description: "Tags served from the store because the upstream could not be asked");
        _upstreamRequests = meter.CreateCounter<long>("mirror_upstream_requests", description: "Requests to an upstream registry and its token realm");
        _upstreamDuration = meter.CreateHistogram<double>(
            "mirror_upstream_request_duration",
            "s",
            "Time from an upstream request to its response headers",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _tokenFetches = meter.CreateCounter<long>("mirror_token_fetches", description: "Token requests to the upstream's token realm");
        _credentialChecks = meter.CreateCounter<long>("mirror_credential_checks", description: "Client credentials checked (a bcrypt run, or a question to the upstream), not those remembered");
    }

    // Every instrument about requests carries the registry they were for: a configured host, so the label stays bounded.
    public void Request(string upstream, string type) => _requests.Add(1, MirrorMetrics.Type(type), MirrorMetrics.Upstream(upstream));

    public void Hit(string upstream, string type) => _hits.Add(1, MirrorMetrics.Type(type), MirrorMetrics.Upstream(upstream));

    public void Miss(string upstream, string type, bool coalesced)
    {
        _misses.Add(1, MirrorMetrics.Type(type), MirrorMetrics.Upstream(upstream));
        if (coalesced)
        {
            _coalesced.Add(1, MirrorMetrics.Type(type), MirrorMetrics.Upstream(upstream));
        }
    }

    public void Pushed(string upstream, string type, long bytes) => _pushedBytes.Add(bytes, MirrorMetrics.Type(type), MirrorMetrics.Upstream(upstream));

    public void Stale(string upstream, string type) => _staleResponses.Add(1, MirrorMetrics.Type(type), MirrorMetrics.Upstream(upstream));

    public void UpstreamRequest(string upstream, string method, string status, double seconds)
    {
        _upstreamRequests.Add(1, MirrorMetrics.Upstream(upstream), new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("status", status));
        _upstreamDuration.Record(seconds, MirrorMetrics.Upstream(upstream), new KeyValuePair<string, object?>("method", method));
    }

    public void TokenFetch(string upstream, bool succeeded) =>
        _tokenFetches.Add(1, MirrorMetrics.Upstream(upstream), new KeyValuePair<string, object?>("result", succeeded ? "success" : "failure"));

    public void CredentialChecked(string scheme, bool accepted) =>
        _credentialChecks.Add(1, new KeyValuePair<string, object?>("scheme", scheme), new KeyValuePair<string, object?>("result", accepted ? "accepted" : "refused"));

}
