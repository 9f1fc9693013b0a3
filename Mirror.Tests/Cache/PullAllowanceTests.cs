using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

/// <summary>Docker Hub's <c>ratelimit-*</c> headers read from a manifest answer.</summary>
[TestFixture]
internal sealed class PullAllowanceTests
{
    [TestCase(3600)]
    [TestCase(21600)]
    public void Read_DockerHubHeaders_LimitRemainingWindowAndSource(int window)
    {
        var read = PullAllowance.Read(Headers(("ratelimit-limit", $"100;w={window}"), ("ratelimit-remaining", $"76;w={window}"), ("docker-ratelimit-source", "203.0.113.7")));

        Assert.That(read, Is.EqualTo(new PullAllowance(100, 76, TimeSpan.FromSeconds(window), "203.0.113.7")));
    }

    [Test]
    public void Read_NoHeaders_IsNull()
    {
        Assert.That(PullAllowance.Read(Headers(("content-type", "application/json"))), Is.Null);
    }

    [Test]
    public void Read_WindowMissing_CountsWithoutAWindow()
    {
        var read = PullAllowance.Read(Headers(("RateLimit-Limit", "200"), ("RateLimit-Remaining", "3")));

        Assert.That(read, Is.EqualTo(new PullAllowance(200, 3, null, null)));
    }

    [Test]
    public void Read_WindowOnRemainingOnly_TakesIt()
    {
        var read = PullAllowance.Read(Headers(("ratelimit-remaining", "0;w=3600")));

        Assert.That(read, Is.EqualTo(new PullAllowance(null, 0, TimeSpan.FromHours(1), null)));
    }

    [TestCase("lots;w=21600")]
    [TestCase("-1;w=21600")]
    [TestCase("")]
    [TestCase("1e3")]
    [TestCase("99999999999999999999999")]
    public void Read_MalformedCount_IsAsGoodAsUnsaid(string value)
    {
        var read = PullAllowance.Read(Headers(("ratelimit-limit", value), ("ratelimit-remaining", value)));

        Assert.That(read, Is.Null);
    }

    [TestCase("100;w=soon", null)]
    [TestCase("100;w=0", null)]
    [TestCase("100;w=-5", null)]
    [TestCase("100; w=60", 60)]
    [TestCase("100;w=21600, 10;w=60", 21600)]
    public void Read_WindowForms_OnlyAPositiveWholeNumberOfSeconds(string value, int? seconds)
    {
        var read = PullAllowance.Read(Headers(("ratelimit-limit", value)));

        Assert.That(read, Is.EqualTo(new PullAllowance(100, null, seconds is { } s ? TimeSpan.FromSeconds(s) : null, null)));
    }

    [TestCase("")]
    [TestCase("two words")]
    public void Read_UnusableSource_IsDropped(string source)
    {
        var read = PullAllowance.Read(Headers(("ratelimit-remaining", "5"), ("docker-ratelimit-source", source)));

        Assert.That(read?.Source, Is.Null);
    }

    private static KeyValuePair<string, string>[] Headers(params (string Name, string Value)[] headers) =>
        headers.Select(h => KeyValuePair.Create(h.Name, h.Value)).ToArray();
}
