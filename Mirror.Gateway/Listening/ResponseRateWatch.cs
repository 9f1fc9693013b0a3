namespace Mirror.Gateway.Listening;

/// <summary>
/// Holds one response body to <c>mirror.limits.minresponserate</c> over the response as a whole: the
/// response starts with a credit of one grace period's bytes at that rate (<c>minresponsegrace</c>), spends
/// it at that rate while it has something to send, and earns a byte for each byte the client takes, up to
/// that credit again. A response whose credit runs out is aborted, which closes an HTTP/1.1 connection
/// (resets an HTTP/2 stream), ends the request, and lets go of what it held (a connection slot, the file's
/// lease against eviction).
/// </summary>
/// <remarks>
/// Kestrel's own minimum rate extends a write's deadline by the write's size at the rate, and only times a
/// write that is waiting: the socket buffers take megabytes from a client that reads nothing, which then
/// buys minutes. Capping the credit at one grace period means those megabytes buy no more than that. Time
/// spent waiting for the upstream (<see cref="Pause"/>) is not the client's and costs no credit.
/// </remarks>
internal sealed partial class ResponseRateWatch : IDisposable
{
    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly double _rate;
    private readonly double _credit;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private double _left;
    private long _accountedAt;
    private long _sent;
    private bool _paused;
    private bool _over;

    public ResponseRateWatch(HttpContext context, long rate, TimeSpan grace, TimeProvider time, ILogger logger)
    {
        _context = context;
        _time = time;
        _logger = logger;
        _rate = rate;
        _credit = rate * grace.TotalSeconds;
        _left = _credit;
        _accountedAt = time.GetTimestamp();
        var every = TimeSpan.FromTicks(Math.Clamp(grace.Ticks / 8, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timer = time.CreateTimer(static state => ((ResponseRateWatch)state!).Check(), this, every, every);
    }

    /// <summary>The client took <paramref name="bytes"/> more (a flush of them completed).</summary>
    public void Sent(long bytes)
    {
        lock (_gate)
        {
            Account();
            _sent += bytes;
            _left = Math.Min(_credit, _left + bytes);
        }
    }

    /// <summary>The response waits for the upstream, not for the client, until <see cref="Resume"/>.</summary>
    public void Pause() => SetPaused(true);

    public void Resume() => SetPaused(false);

    public void Dispose() => _timer.Dispose();

    private void SetPaused(bool paused)
    {
        lock (_gate)
        {
            Account();
            _paused = paused;
        }
    }

    private void Check()
    {
        long sent;
        lock (_gate)
        {
            Account();
            if (_over || _left >= 0)
            {
                return;
            }

            _over = true;
            sent = _sent;
        }

        Log.TooSlow(_logger, _context.Request.Path.ToString(), _context.Connection.RemoteIpAddress?.ToString() ?? "-", sent, (long)_rate);
        _timer.Dispose();
        _context.Abort();
    }

    /// <summary>Spends the credit for the time since the last account, unless the response was waiting on the upstream.</summary>
    private void Account()
    {
        var now = _time.GetTimestamp();
        if (!_paused)
        {
            _left -= _rate * _time.GetElapsedTime(_accountedAt, now).TotalSeconds;
        }

        _accountedAt = now;
    }
}
