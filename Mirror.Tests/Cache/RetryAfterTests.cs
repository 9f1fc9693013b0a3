using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [TestCase("120", 120)]
    [TestCase(" 7 ", 7)]
    [TestCase("Thu, 03 Dec 2026 12:05:00 GMT", 300)]
    [TestCase("Thu, 03 Dec 2026 11:00:00 GMT", 0)]
    public void Parse_SecondsOrDate_TheWait(string value, int seconds)
    {
        Assert.That(RetryAfter.Parse(value, Now), Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("soon")]
    [TestCase("-5")]
    [TestCase("1.5")]
    public void Parse_AbsentOrMalformed_IsNull(string? value)
    {
        Assert.That(RetryAfter.Parse(value, Now), Is.Null);
    }

    [TestCase(0.2, "1")]
    [TestCase(59.1, "60")]
    [TestCase(3600, "3600")]
    public void Seconds_RoundsUpToWholeSecondsAtLeastOne(double seconds, string expected)
    {
        Assert.That(RetryAfter.Seconds(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }
}
