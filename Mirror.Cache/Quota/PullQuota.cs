using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Quota;

/// <summary>
/// The pull quota as a fact the mirror keeps. Docker Hub counts a pull per manifest <c>GET</c> (<c>HEAD</c>s
/// are free) and says where a client stands on its manifest answers (<see cref="PullAllowance"/>); every
/// such answer is kept here, per upstream and source (the address or account the pulls are counted for,
/// so nodes behind different egress addresses keep their own). Once the upstream has said no pulls are
/// left (<c>ratelimit-remaining: 0</c>, or a <c>429</c>), no manifest <c>GET</c> goes to it until one may
/// succeed: until its <c>Retry-After</c>; else until a free <c>HEAD</c> reports pulls left, or the backoff
/// (<see cref="QuotaBackoff"/>) runs out. A GET held back is answered as the upstream would refuse it.
/// </summary>
public sealed class PullQuota
{
    /// <summary>The window a quota is counted in when the upstream does not say: Docker Hub's six hours.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(6);

    private readonly IPullLedger _ledger;
    private readonly MirrorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<PullQuota> _logger;

    /// <summary>Each upstream's source as this node last heard it named: the one its pulls count against.</summary>
    private readonly ConcurrentDictionary<string, string> _sources = new();

    /// <summary>What this node last knew of each record, for the status page, the gauges and background work.</summary>
    private readonly ConcurrentDictionary<(string Upstream, string Source), QuotaRecord> _known = new();

    internal PullQuota(IPullLedger ledger, MirrorMetrics metrics, TimeProvider time, ILogger<PullQuota> logger)
    {
        _ledger = ledger;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        metrics.ObserveQuota(() => _known.Keys.Select(k => k.Upstream).Distinct().Select(Of).OfType<QuotaRecord>()
            .Select(r => (r.Upstream, r.Reading?.Limit, r.Reading?.Remaining)));
    }

    /// <summary>
    /// The quota of <paramref name="upstream"/> (a registry host, as <see cref="IRegistrySource.Name"/>) as
    /// this node counts it: its source's record, else the latest any source's; <c>null</c> until the upstream
    /// has said anything. The hold is the one this node honours.
    /// </summary>
    public QuotaRecord? Of(string upstream)
    {
        var now = _time.GetUtcNow();
        var records = _known.Values.Where(r => r.Upstream == upstream).ToList();
        var own = _sources.TryGetValue(upstream, out var source)
            ? records.FirstOrDefault(r => r.Source == source)
            : records.MaxBy(r => r.Reading?.At ?? DateTimeOffset.MinValue);
        var hold = Binding(upstream, records, now);
        return own is null && hold is null ? null : (own ?? new QuotaRecord(upstream, source ?? string.Empty, null, null, 0)) with { Hold = hold ?? own?.Hold };
    }

    /// <summary>Whether manifest GETs to <paramref name="upstream"/> are held back now, as this node last knew.</summary>
    public bool IsHeld(string upstream) => Of(upstream)?.Hold?.HoldsAt(_time.GetUtcNow()) == true;

    /// <summary>Reads every record from the ledger again (another node's word, in a cluster).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        Remember(await _ledger.FindAsync(null, _time.GetUtcNow(), cancellationToken));

    /// <summary><paramref name="upstream"/>'s manifests with the quota kept and honoured.</summary>
    internal IManifestSource Guard(IManifestSource upstream) => new QuotaGuardedSource(upstream, this);

    /// <summary>
    /// Before a manifest GET to <paramref name="upstream"/>: the refusal the client gets instead, while GETs are
    /// held back (counted in <c>mirror_upstream_pulls_held_total</c>); <c>null</c> when the GET may go.
    /// </summary>
    internal async Task<UpstreamManifest?> HoldBackAsync(string upstream, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (Binding(upstream, await FindAsync(upstream, now, cancellationToken), now) is not { } hold)
        {
            return null;
        }

        _metrics.PullHeld(upstream);
        QuotaLog.HeldBack(_logger, upstream, hold.Until, hold.Reason);
        return UpstreamManifest.Failed(SourceStatus.TooManyRequests, HeldError(upstream, hold)) with { HeldFor = hold.Until - now };
    }

    /// <summary>
    /// Keeps what <paramref name="answer"/> (to a GET when <paramref name="pull"/>, else a HEAD) says of the
    /// quota, and holds GETs back or lets them go again by it; a refusal comes back with how long GETs are held.
    /// </summary>
    internal async Task<UpstreamManifest> ObserveAsync(string upstream, UpstreamManifest answer, bool pull, CancellationToken cancellationToken)
    {
        var said = PullAllowance.Read(answer.RateLimit);
        var refused = answer.Status == SourceStatus.TooManyRequests;
        var pulled = pull && (answer.Status == SourceStatus.Found || answer.Answered);
        if (pulled)
        {
            _metrics.UpstreamPulled(upstream);
        }

        if (said is null && !refused && !pulled)
        {
            return answer;
        }

        var now = _time.GetUtcNow();
        var source = SourceOf(upstream, said?.Source);
        var record = (await FindAsync(upstream, now, cancellationToken)).FirstOrDefault(r => r.Source == source) ?? new QuotaRecord(upstream, source, null, null, 0);
        if (said is { Limit: not null } or { Remaining: not null })
        {
            record = record with { Reading = new QuotaReading(said.Limit, said.Remaining, said.Window, now) };
            await _ledger.ObserveAsync(upstream, source, record.Reading, cancellationToken);
        }

        if (pulled)
        {
            record = record with { Spent = record.Spent + 1 };
            await _ledger.SpendAsync(upstream, source, now, record.Window, cancellationToken);
        }

        var hold = await DecideAsync(record, refused, said, pulled, RetryAfter.Parse(answer.RetryAfterHeader, now), now, cancellationToken);
        _known[(upstream, source)] = record with { Hold = hold };
        return refused && hold?.HoldsAt(now) == true
            ? answer with { Error = HeldError(upstream, hold), HeldFor = hold.Until - now }
            : answer;
    }

    /// <summary>The hold after an answer: started or kept on a refusal, lifted when the upstream has pulls again, else as it was.</summary>
    private async Task<PullHold?> DecideAsync(QuotaRecord record, bool refused, PullAllowance? said, bool pulled, TimeSpan? retryAfter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hold = record.Hold;
        PullHold? next;
        if (refused || said?.Remaining == 0)
        {
            next = Refusal(hold, refused, retryAfter, record.Window, now);
            if (next == hold)
            {
                return hold;
            }

            QuotaLog.HoldStarted(_logger, record.Upstream, next.Until, next.Refusals, next.Reason);
        }
        else if (hold is { Lifted: false } && (said?.Remaining > 0 || pulled) && (!hold.Said || !hold.HoldsAt(now)))
        {
            // The window is rolling: pulls come back as old ones leave it, which a free HEAD shows.
            next = PullHold.LiftedAt(now, said?.Remaining > 0 ? $"the upstream says {said.Remaining} pulls are left" : "a manifest GET succeeded");
            QuotaLog.HoldLifted(_logger, record.Upstream, next.Reason);
        }
        else
        {
            return hold;
        }

        await _ledger.HoldAsync(record.Upstream, record.Source, next, cancellationToken);
        return next;
    }

    /// <summary>
    /// The hold after a refusal: a hold still running is kept (a <c>HEAD</c> repeating "none left" does not
    /// double it), unless the upstream now names a later time; else a new one, until the upstream's
    /// <c>Retry-After</c> or for the backoff of one more refusal in a row.
    /// </summary>
    internal static PullHold Refusal(PullHold? hold, bool refused, TimeSpan? retryAfter, TimeSpan window, DateTimeOffset now)
    {
        var reason = refused ? "the upstream answered 429 TOOMANYREQUESTS" : "the upstream says no pulls are left (ratelimit-remaining: 0)";
        if (hold is not null && hold.HoldsAt(now))
        {
            return retryAfter is { } later && now + later > hold.Until ? hold with { Until = now + later, Said = true, Reason = reason, At = now } : hold;
        }

        var refusals = (hold is { Lifted: false } ? hold.Refusals : 0) + 1;
        return retryAfter is { } wait
            ? new PullHold(now + wait, refusals, true, $"{reason}, Retry-After {RetryAfter.Seconds(wait)} s", now)
            : new PullHold(now + QuotaBackoff.Delay(refusals, window), refusals, false, reason, now);
    }

    private static UpstreamError HeldError(string upstream, PullHold hold) =>
        new(OciErrorCode.TooManyRequests, $"the pull quota of {upstream} is spent ({hold.Reason}): manifest GETs to it are held back until {hold.Until:u}");

    /// <summary>
    /// The hold GETs to <paramref name="upstream"/> wait for: its source's, and one of a source not named; a
    /// node that has not heard its source yet honours every source's, rather than spend a pull that may be refused.
    /// </summary>
    private PullHold? Binding(string upstream, IEnumerable<QuotaRecord> records, DateTimeOffset now)
    {
        var source = _sources.TryGetValue(upstream, out var named) ? named : null;
        return records
            .Where(r => r.Upstream == upstream && (source is null || r.Source == source || r.Source.Length == 0))
            .Select(r => r.Hold)
            .OfType<PullHold>()
            .Where(h => h.HoldsAt(now))
            .MaxBy(h => h.Until);
    }

    private string SourceOf(string upstream, string? said)
    {
        if (said is not null)
        {
            _sources[upstream] = said;
            return said;
        }

        return _sources.TryGetValue(upstream, out var source) ? source : string.Empty;
    }

    private async Task<IReadOnlyList<QuotaRecord>> FindAsync(string upstream, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var records = await _ledger.FindAsync(upstream, now, cancellationToken);
        Remember(records);
        return records;
    }

    private void Remember(IEnumerable<QuotaRecord> records)
    {
        foreach (var record in records)
        {
            _known[(record.Upstream, record.Source)] = record;
        }
    }
}
