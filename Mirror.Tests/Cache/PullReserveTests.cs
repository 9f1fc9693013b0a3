using Mirror.Cache.Quota;

namespace Mirror.Tests.Cache;

/// <summary><c>mirror.quota.reserve</c> and background work's decisions by it (<see cref="PullBudget"/>).</summary>
[TestFixture]
internal sealed class PullReserveTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [TestCase("20%", 20, true)]
    [TestCase("0%", 0, true)]
    [TestCase("100%", 100, true)]
    [TestCase("10", 10, false)]
    [TestCase(" 0 ", 0, false)]
    public void TryParse_NumberOrPercentage_Kept(string text, long value, bool percent)
    {
        Assert.That(PullReserve.TryParse(text), Is.EqualTo(new PullReserve(value, percent)));
    }

    [TestCase("101%")]
    [TestCase("-1")]
    [TestCase("12.5%")]
    [TestCase("some")]
    [TestCase("%")]
    public void TryParse_Otherwise_IsNull(string text)
    {
        Assert.That(PullReserve.TryParse(text), Is.Null);
    }

    [TestCase(100, 20)]
    [TestCase(200, 40)]
    [TestCase(7, 2)]
    public void PullsOf_APercentage_IsItsShareOfTheLimitRoundedUp(long limit, long kept)
    {
        Assert.That(PullReserve.Default.PullsOf(limit), Is.EqualTo(kept));
    }

    [TestCase(3600, 21)]
    [TestCase(21600, 21)]
    [TestCase(3600, 100)]
    public void Decide_AboveTheReserve_MayPull(int window, long remaining)
    {
        Assert.That(PullBudget.Decide("docker.io", Record(100, remaining, window), PullReserve.Default, Now), Is.Null);
    }

    [TestCase(3600, 20)]
    [TestCase(21600, 20)]
    [TestCase(21600, 0)]
    public void Decide_AtOrBelowTheReserve_DefersWithAReason(int window, long remaining)
    {
        var deferral = PullBudget.Decide("docker.io", Record(100, remaining, window), PullReserve.Default, Now);

        Assert.That(deferral, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(deferral!.Until, Is.GreaterThanOrEqualTo(Now + QuotaBackoff.First).And.LessThanOrEqualTo(Now + TimeSpan.FromSeconds(window)));
            Assert.That(deferral.Reason, Does.Contain("mirror.quota.reserve").And.Contain($"{remaining} of 100"));
        });
    }

    [Test]
    public void Decide_ANumberOfPulls_ComparedAsIs()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PullBudget.Decide("ghcr.io", Record(100, 5, 3600), new PullReserve(5, false), Now), Is.Not.Null);
            Assert.That(PullBudget.Decide("ghcr.io", Record(100, 6, 3600), new PullReserve(5, false), Now), Is.Null);
        });
    }

    [Test]
    public void Decide_Held_DefersUntilTheHoldEnds()
    {
        var hold = new PullHold(Now + TimeSpan.FromMinutes(4), 1, true, "the upstream answered 429", Now);
        var record = Record(100, 90, 3600) with { Hold = hold };

        Assert.That(PullBudget.Decide("docker.io", record, PullReserve.Default, Now), Is.EqualTo(new PullDeferral(hold.Until, "manifest GETs to docker.io are held back: the upstream answered 429")));
    }

    [Test]
    public void Decide_NothingSaidOrAReadingOlderThanItsWindow_MayPull()
    {
        var old = Record(100, 0, 3600) with { Reading = new QuotaReading(100, 0, TimeSpan.FromHours(1), Now - TimeSpan.FromHours(2)) };

        Assert.Multiple(() =>
        {
            Assert.That(PullBudget.Decide("docker.io", null, PullReserve.Default, Now), Is.Null);
            Assert.That(PullBudget.Decide("docker.io", old, PullReserve.Default, Now), Is.Null);
        });
    }

    [Test]
    public void Decide_APercentageOfALimitNotSaid_DefersOnlyAtNone()
    {
        var unknownLimit = new QuotaRecord("docker.io", "", new QuotaReading(null, 1, null, Now), null, 0);

        Assert.Multiple(() =>
        {
            Assert.That(PullBudget.Decide("docker.io", unknownLimit, PullReserve.Default, Now), Is.Null);
            Assert.That(PullBudget.Decide("docker.io", unknownLimit with { Reading = unknownLimit.Reading! with { Remaining = 0 } }, PullReserve.Default, Now), Is.Not.Null);
        });
    }

    private static QuotaRecord Record(long limit, long remaining, int windowSeconds) =>
        new("docker.io", "203.0.113.7", new QuotaReading(limit, remaining, TimeSpan.FromSeconds(windowSeconds), Now - TimeSpan.FromMinutes(1)), null, 0);
}
