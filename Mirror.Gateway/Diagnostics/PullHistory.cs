namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// What was pulled, for the status page: the last manifest pulls, and each repository's pulls (manifest GETs)
/// and bytes (everything sent under its name) in hourly buckets over the last day. Bounded: at most
/// <see cref="MaxRepositoriesPerHour"/> repositories an hour are counted, and <see cref="LastCount"/> pulls kept.
/// </summary>
internal sealed class PullHistory(TimeProvider time)
{
    public const int LastCount = 20;
    public const int MaxRepositoriesPerHour = 10_000;
    private const int Hours = 24;

    private readonly Lock _gate = new();
    private readonly Queue<PullRecord> _last = new();
    private readonly (DateTimeOffset Hour, Dictionary<string, RepositoryActivity> Repositories)[] _hours = new (DateTimeOffset, Dictionary<string, RepositoryActivity>)[Hours];

    /// <summary>Counts a registry request that was answered; a manifest GET is a pull.</summary>
    public void Record(string upstream, string repository, string endpoint, string reference, int status, long bytes, string result)
    {
        if (status is < 200 or >= 300 || repository == "-")
        {
            return;
        }

        var now = time.GetUtcNow();
        var pull = endpoint == "manifest";
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var slot = (int)(hour.ToUnixTimeSeconds() / 3600 % Hours);
        lock (_gate)
        {
            if (_hours[slot].Hour != hour || _hours[slot].Repositories is null)
            {
                _hours[slot] = (hour, new Dictionary<string, RepositoryActivity>(StringComparer.Ordinal));
            }

            var repositories = _hours[slot].Repositories;
            if (repositories.TryGetValue(repository, out var activity) || repositories.Count < MaxRepositoriesPerHour)
            {
                activity ??= new RepositoryActivity(repository, upstream, 0, 0);
                repositories[repository] = activity with { Pulls = activity.Pulls + (pull ? 1 : 0), Bytes = activity.Bytes + bytes };
            }

            if (pull)
            {
                _last.Enqueue(new PullRecord(now, upstream, repository, reference, result, bytes));
                if (_last.Count > LastCount)
                {
                    _last.Dequeue();
                }
            }
        }
    }

    /// <summary>The last pulls, newest first.</summary>
    public IReadOnlyList<PullRecord> Last()
    {
        lock (_gate)
        {
            return _last.Reverse().ToList();
        }
    }

    /// <summary>Every repository's pulls and bytes over the last 24 hours.</summary>
    public IReadOnlyList<RepositoryActivity> LastDay()
    {
        var since = time.GetUtcNow().AddHours(-Hours);
        lock (_gate)
        {
            return _hours
                .Where(h => h.Repositories is not null && h.Hour > since)
                .SelectMany(h => h.Repositories.Values)
                .GroupBy(a => a.Repository, StringComparer.Ordinal)
                .Select(g => new RepositoryActivity(g.Key, g.First().Upstream, g.Sum(a => a.Pulls), g.Sum(a => a.Bytes)))
                .ToList();
        }
    }
}
