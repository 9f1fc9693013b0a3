namespace Mirror.Cache.Quota;

/// <summary>
/// A single node's pull quota, in memory: the upstream says where it stands on every manifest answer, so a
/// restarted node knows again at its first request (a hold it had is forgotten; the upstream's next refusal
/// sets it again). In a cluster each node's ledger is its fallback while Redis cannot be asked.
/// </summary>
internal sealed class PullLedger : IPullLedger
{
    /// <summary>Pulls are kept at least this long, whatever the window, for "spent in the last window".</summary>
    internal static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Upstream, string Source), Entry> _entries = [];

    public Task<IReadOnlyList<QuotaRecord>> FindAsync(string? upstream, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Find(upstream, now));

    public Task ObserveAsync(string upstream, string source, QuotaReading reading, CancellationToken cancellationToken)
    {
        Observe(upstream, source, reading);
        return Task.CompletedTask;
    }

    public Task HoldAsync(string upstream, string source, PullHold hold, CancellationToken cancellationToken)
    {
        Hold(upstream, source, hold);
        return Task.CompletedTask;
    }

    public Task SpendAsync(string upstream, string source, DateTimeOffset at, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var pulls = EntryOf(upstream, source).Pulls;
            pulls.Add(at);
            var keep = at - (window > Retention ? window : Retention);
            pulls.RemoveAll(pull => pull < keep);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc cref="FindAsync"/>
    public IReadOnlyList<QuotaRecord> Find(string? upstream, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _entries
                .Where(e => upstream is null || e.Key.Upstream == upstream)
                .Select(e => Record(e.Key.Upstream, e.Key.Source, e.Value, now))
                .ToList();
        }
    }

    /// <inheritdoc cref="ObserveAsync"/>
    public void Observe(string upstream, string source, QuotaReading reading)
    {
        lock (_gate)
        {
            var entry = EntryOf(upstream, source);
            if (entry.Reading is null || entry.Reading.At <= reading.At)
            {
                entry.Reading = reading;
            }
        }
    }

    /// <inheritdoc cref="HoldAsync"/>
    public void Hold(string upstream, string source, PullHold hold)
    {
        lock (_gate)
        {
            var entry = EntryOf(upstream, source);
            if (entry.Hold is null || entry.Hold.At <= hold.At)
            {
                entry.Hold = hold;
            }
        }
    }

    private Entry EntryOf(string upstream, string source)
    {
        if (!_entries.TryGetValue((upstream, source), out var entry))
        {
            _entries[(upstream, source)] = entry = new Entry();
        }

        return entry;
    }

    private static QuotaRecord Record(string upstream, string source, Entry entry, DateTimeOffset now)
    {
        var window = entry.Reading?.Window ?? PullQuota.DefaultWindow;
        return new QuotaRecord(upstream, source, entry.Reading, entry.Hold, entry.Pulls.Count(pull => pull > now - window && pull <= now));
    }

    private sealed class Entry
    {
        public QuotaReading? Reading { get; set; }

        public PullHold? Hold { get; set; }

        public List<DateTimeOffset> Pulls { get; } = [];
    }
}
