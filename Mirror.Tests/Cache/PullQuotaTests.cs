using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Quota;
using Mirror.Cache.Upstream;

namespace Mirror.Tests.Cache;

/// <summary>
/// The quota kept per upstream and source (<c>docker-ratelimit-source</c>): nodes sharing one ledger (as a
/// cluster's share Redis) behind different egress addresses keep their own quota and hold.
/// </summary>
[TestFixture]
internal sealed class PullQuotaTests
{
    private const string Hub = "docker.io";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    // The quota's gauges live on this provider's meters: disposed with it, so no other test's exporter sees them.
    private ServiceProvider _meters = null!;

    [SetUp]
    public void CreateMeters() => _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [TearDown]
    public void DisposeMeters() => _meters.Dispose();

    [Test]
    public async Task HoldBack_AnotherSourcesRefusal_DoesNotHoldANodeThatKnowsItsOwnSource()
    {
        var ledger = new PullLedger();
        var refusedNode = Quota(ledger);
        var otherAddress = Quota(ledger);
        var newNode = Quota(ledger);
        await otherAddress.ObserveAsync(Hub, Answer(SourceStatus.Found, "50", "198.51.100.9"), pull: false, CancellationToken.None);

        await refusedNode.ObserveAsync(Hub, Answer(SourceStatus.TooManyRequests, "0", "203.0.113.7"), pull: true, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await refusedNode.HoldBackAsync(Hub, CancellationToken.None), Is.Not.Null);
            Assert.That(await otherAddress.HoldBackAsync(Hub, CancellationToken.None), Is.Null, "its own address has pulls left");
            Assert.That(await newNode.HoldBackAsync(Hub, CancellationToken.None), Is.Not.Null, "a node that has not heard its source honours every source's hold");
            Assert.That(otherAddress.Of(Hub)?.Reading?.Remaining, Is.EqualTo(50));
            Assert.That(refusedNode.Of(Hub)?.Reading?.Remaining, Is.Zero);
        });
    }

    [Test]
    public async Task Observe_SpentPulls_CountedWithinTheWindowOnly()
    {
        var quota = Quota(new PullLedger());
        await quota.ObserveAsync(Hub, Answer(SourceStatus.Found, "9", "203.0.113.7", window: 3600), pull: true, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(50));
        await quota.ObserveAsync(Hub, Answer(SourceStatus.Found, "8", "203.0.113.7", window: 3600), pull: true, CancellationToken.None);
        var both = quota.Of(Hub)!.Spent;

        _time.Advance(TimeSpan.FromMinutes(20));
        await quota.RefreshAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(both, Is.EqualTo(2));
            Assert.That(quota.Of(Hub)!.Spent, Is.EqualTo(1), "the first pull left the hour's window");
        });
    }

    private PullQuota Quota(IPullLedger ledger) =>
        new(ledger, new MirrorMetrics(_meters.GetRequiredService<IMeterFactory>()), _time, NullLogger<PullQuota>.Instance);

    private static UpstreamManifest Answer(SourceStatus status, string remaining, string source, int window = 21600) =>
        (status == SourceStatus.Found
            ? new UpstreamManifest(status, Digest.Compute("m"u8), MediaTypes.OciManifest, 1, "m"u8.ToArray(), null)
            : UpstreamManifest.Failed(status, null)) with
        {
            RateLimit =
            [
                KeyValuePair.Create("ratelimit-limit", $"100;w={window}"),
                KeyValuePair.Create("ratelimit-remaining", $"{remaining};w={window}"),
                KeyValuePair.Create("docker-ratelimit-source", source),
            ],
        };
}
