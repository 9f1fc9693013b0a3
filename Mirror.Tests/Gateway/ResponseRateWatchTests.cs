using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mirror.Gateway.Listening;

namespace Mirror.Tests.Gateway;

/// <summary>The minimum response rate on its own, on a fake clock: what it lets through, and when it aborts.</summary>
[TestFixture]
internal sealed class ResponseRateWatchTests
{
    private const long Rate = 16 * 1024;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private FakeTimeProvider _time = null!;
    private Lifetime _lifetime = null!;
    private ResponseRateWatch _watch = null!;

    [SetUp]
    public void StartWatching()
    {
        _time = new FakeTimeProvider();
        _lifetime = new Lifetime();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestLifetimeFeature>(_lifetime);
        _watch = new ResponseRateWatch(context, Rate, Grace, _time, NullLogger.Instance);
    }

    [TearDown]
    public void StopWatching()
    {
        _watch.Dispose();
        _lifetime.Dispose();
    }

    [Test]
    public void AClientTakingBytesAtTheRate_IsNeverAborted()
    {
        for (var second = 0; second < 600; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _watch.Sent(Rate);
        }

        Assert.That(_lifetime.Aborted, Is.False);
    }

    [Test]
    public void MegabytesTakenAtOnce_BuyOnlyTheGracePeriod()
    {
        _watch.Sent(64 * 1024 * 1024);

        _time.Advance(Grace - TimeSpan.FromSeconds(2));
        var withinGrace = _lifetime.Aborted;
        _time.Advance(TimeSpan.FromSeconds(4));

        Assert.Multiple(() =>
        {
            Assert.That(withinGrace, Is.False);
            Assert.That(_lifetime.Aborted, Is.True, "64 MiB in the socket buffers at 16 KiB/s would otherwise buy over an hour");
        });
    }

    [Test]
    public void AClientAtHalfTheRate_IsAbortedOnceItsCreditIsSpent()
    {
        // The credit (one grace period at the rate) shrinks by half the rate each second: gone after two grace periods.
        for (var second = 0; second < Grace.TotalSeconds * 2 - 5; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _watch.Sent(Rate / 2);
        }

        var before = _lifetime.Aborted;
        for (var second = 0; second < 10; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _watch.Sent(Rate / 2);
        }

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.False);
            Assert.That(_lifetime.Aborted, Is.True);
        });
    }

    [Test]
    public void TimeWaitingForTheUpstream_IsNotTheClients()
    {
        _watch.Pause();
        _time.Advance(Grace * 10);
        var whileWaiting = _lifetime.Aborted;
        _watch.Resume();
        _time.Advance(Grace + TimeSpan.FromSeconds(2));

        Assert.Multiple(() =>
        {
            Assert.That(whileWaiting, Is.False, "a slow upstream is not the client's slowness");
            Assert.That(_lifetime.Aborted, Is.True, "a client that then takes nothing is cut off");
        });
    }

    /// <summary>Records the abort that Kestrel's feature would turn into a closed connection.</summary>
    private sealed class Lifetime : IHttpRequestLifetimeFeature, IDisposable
    {
        private readonly CancellationTokenSource _aborted = new();

        public CancellationToken RequestAborted { get => _aborted.Token; set => throw new NotSupportedException(); }

        public bool Aborted => _aborted.IsCancellationRequested;

        public void Abort() => _aborted.Cancel();

        public void Dispose() => _aborted.Dispose();
    }
}
