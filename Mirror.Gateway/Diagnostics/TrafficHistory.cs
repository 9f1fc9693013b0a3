using System.Diagnostics.Metrics;
using Mirror.Cache.Diagnostics;

namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// The last hour of traffic, minute by minute, and the totals since start, for the status page: read off
/// the mirror's own instruments with a <see cref="MeterListener"/> (requests, hits, misses, bytes sent to
/// clients and pulled from upstreams), so the page and the Prometheus series count the same events. It
/// listens from the host's start on.
/// </summary>
internal sealed class TrafficHistory : IHostedService, IDisposable
{
    public const int Minutes = 60;

    private static readonly string[] Instruments =
        ["registry_proxy_requests", "registry_proxy_hits", "registry_proxy_misses", "registry_proxy_pushed_bytes", "registry_proxy_pulled_bytes"];

    private readonly Lock _gate = new();
    private readonly MinuteTraffic[] _minutes = new MinuteTraffic[Minutes];
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private MinuteTraffic _total = new(DateTimeOffset.MinValue, 0, 0, 0, 0, 0);

    public TrafficHistory(MirrorMetrics metrics, TimeProvider time)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            var kind = Array.IndexOf(Instruments, instrument.Name);
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && kind >= 0)
            {
                listener.EnableMeasurementEvents(instrument, kind);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => Add((int)state!, value));
    }

    /// <summary>When the host started.</summary>
    public DateTimeOffset Started { get; private set; }

    /// <summary>Everything counted since start.</summary>
    public MinuteTraffic Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>The last hour, oldest first, one entry per minute (empty minutes included).</summary>
    public IReadOnlyList<MinuteTraffic> LastHour()
    {
        var now = Minute(_time.GetUtcNow());
        lock (_gate)
        {
            return Enumerable.Range(0, Minutes)
                .Select(ago => now.AddMinutes(ago - Minutes + 1))
                .Select(minute => _minutes[Slot(minute)] is { } kept && kept.Minute == minute ? kept : new MinuteTraffic(minute, 0, 0, 0, 0, 0))
                .ToList();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Started = _time.GetUtcNow();
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);

    private static int Slot(DateTimeOffset minute) => (int)(minute.ToUnixTimeSeconds() / 60 % Minutes);

    private void Add(int kind, long value)
    {
        var minute = Minute(_time.GetUtcNow());
        var slot = Slot(minute);
        lock (_gate)
        {
            var current = _minutes[slot] is { } kept && kept.Minute == minute ? kept : new MinuteTraffic(minute, 0, 0, 0, 0, 0);
            _minutes[slot] = current.Add(kind, value);
            _total = _total.Add(kind, value);
        }
    }
}
