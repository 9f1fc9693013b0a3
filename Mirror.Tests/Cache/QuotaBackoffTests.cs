using Mirror.Cache.Quota;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class QuotaBackoffTests
{
    [TestCase(1, 3600, 1)]
    [TestCase(2, 3600, 2)]
    [TestCase(3, 3600, 4)]
    [TestCase(6, 3600, 32)]
    [TestCase(7, 3600, 60)]
    [TestCase(7, 21600, 64)]
    [TestCase(9, 21600, 256)]
    [TestCase(10, 21600, 360)]
    [TestCase(1000, 21600, 360)]
    public void Delay_DoublesFromAMinute_CappedAtTheWindow(int refusals, int windowSeconds, int minutes)
    {
        Assert.That(QuotaBackoff.Delay(refusals, TimeSpan.FromSeconds(windowSeconds)), Is.EqualTo(TimeSpan.FromMinutes(minutes)));
    }

    [TestCase(3600)]
    [TestCase(21600)]
    public void Refusal_WithoutRetryAfter_BacksOffAndASecondRefusalAfterItDoubles(int windowSeconds)
    {
        var window = TimeSpan.FromSeconds(windowSeconds);
        var now = DateTimeOffset.UnixEpoch;
        var first = PullQuota.Refusal(null, refused: true, null, window, now);
        var repeated = PullQuota.Refusal(first, refused: false, null, window, now + TimeSpan.FromSeconds(30));
        var second = PullQuota.Refusal(first, refused: true, null, window, first.Until + TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(first.Until, Is.EqualTo(now + TimeSpan.FromMinutes(1)));
            Assert.That(repeated, Is.SameAs(first), "a HEAD repeating 'none left' during the hold does not double it");
            Assert.That(second.Until, Is.EqualTo(first.Until + TimeSpan.FromSeconds(1) + TimeSpan.FromMinutes(2)));
            Assert.That(second.Refusals, Is.EqualTo(2));
        });
    }

    [TestCase(3600)]
    [TestCase(21600)]
    public void Refusal_WithRetryAfter_HoldsUntilThen(int windowSeconds)
    {
        var now = DateTimeOffset.UnixEpoch;
        var hold = PullQuota.Refusal(null, refused: true, TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(windowSeconds), now);

        Assert.Multiple(() =>
        {
            Assert.That(hold.Until, Is.EqualTo(now + TimeSpan.FromSeconds(900)));
            Assert.That(hold.Said, Is.True);
        });
    }

    [Test]
    public void Refusal_AfterALiftedHold_StartsFromAMinuteAgain()
    {
        var now = DateTimeOffset.UnixEpoch;
        var lifted = PullHold.LiftedAt(now, "pulls left") with { Refusals = 5 };

        var hold = PullQuota.Refusal(lifted, refused: true, null, TimeSpan.FromHours(6), now + TimeSpan.FromMinutes(1));

        Assert.That(hold.Until - hold.At, Is.EqualTo(TimeSpan.FromMinutes(1)));
    }
}
