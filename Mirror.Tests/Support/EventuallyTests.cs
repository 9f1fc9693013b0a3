using Microsoft.Extensions.Time.Testing;

namespace Mirror.Tests.Support;

/// <summary>The suite's one way to wait: it returns what it waited for, and fails naming the fact.</summary>
[TestFixture]
internal sealed class EventuallyTests
{
    [Test]
    public async Task ValueAsync_FactComesAfterSomeChecks_ReturnsTheValueThatHolds()
    {
        var checks = 0;

        var value = await Eventually.ValueAsync(() => Task.FromResult(++checks), count => count >= 3, "the third check");

        Assert.That(value, Is.EqualTo(3));
    }

    [Test]
    public void TrueAsync_FactNeverComes_FailsAfterTheTimeoutNamingItAndWhatWasSeen()
    {
        var failure = Assert.ThrowsAsync<AssertionException>(() =>
            Eventually.TrueAsync(() => false, "the gauge drops to 0", TimeSpan.FromMilliseconds(100), seen: () => "the gauge: 7"));

        Assert.That(failure!.Message, Does.Contain("did not happen: the gauge drops to 0").And.Contain("the gauge: 7"));
    }

    [Test]
    public void TrueAsync_Hopeless_StopsAtTheFirstCheckSayingWhy()
    {
        var checks = 0;

        var failure = Assert.ThrowsAsync<AssertionException>(() =>
            Eventually.TrueAsync(() => ++checks < 0, "the process listens", hopeless: () => "it exited with 1"));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.Contain("since it exited with 1, for this: the process listens"));
            Assert.That(checks, Is.EqualTo(1), "no waiting for a fact that cannot come");
        });
    }

    [Test]
    public async Task CompletesAsync_ATimerOnAFakeClock_FiresAsTheClockMovesOn()
    {
        var clock = new FakeTimeProvider();
        var started = clock.GetUtcNow();

        await Eventually.CompletesAsync(Task.Delay(TimeSpan.FromMinutes(5), clock), clock, TimeSpan.FromMinutes(1), "five minutes pass on the fake clock");

        Assert.That(clock.GetUtcNow() - started, Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(5)).And.LessThan(TimeSpan.FromMinutes(10)));
    }
}
