using Mirror.Cache.Cluster;
using StackExchange.Redis;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The cluster's record of uses on a real redis-server: a member keeps its latest use whatever order nodes
/// save in, and the sweeper's forgetting never takes a use saved after the sweep judged the file.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
internal sealed class RedisUseExchangeTests
{
    /// <summary>Ticks as they are in 2026: past 2^53, so Redis's double scores round them.</summary>
    private static readonly long Now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero).UtcTicks + 1234567;

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisUseExchange _exchange = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        _exchange = new RedisUseExchange(_connection);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _redis?.Dispose();
    }

    [SetUp]
    public Task ClearAsync() => _connection.GetDatabase().ExecuteAsync("FLUSHDB");

    [Test]
    public async Task Save_AnOlderUseAfterANewer_KeepsTheNewer()
    {
        var newer = Now + TimeSpan.TicksPerHour;
        await _exchange.SaveAsync([KeyValuePair.Create("b sha256:1", newer)], CancellationToken.None);

        await _exchange.SaveAsync([KeyValuePair.Create("b sha256:1", Now)], CancellationToken.None);

        Assert.That(await _exchange.SinceAsync(Now, CancellationToken.None), Has.Exactly(1).Matches<KeyValuePair<string, long>>(u => u.Key == "b sha256:1" && u.Value == (long)(double)newer));
    }

    [Test]
    public async Task Forget_KeepsAUseSavedAfterTheSweepJudgedTheFile_AndForgetsTheRest()
    {
        await _exchange.SaveAsync([KeyValuePair.Create("b sha256:used-again", Now), KeyValuePair.Create("b sha256:unused", Now)], CancellationToken.None);
        var judged = await _exchange.SinceAsync(0, CancellationToken.None);
        await _exchange.SaveAsync([KeyValuePair.Create("b sha256:used-again", Now + TimeSpan.TicksPerSecond)], CancellationToken.None);

        await _exchange.ForgetAsync(judged, CancellationToken.None);

        Assert.That((await _exchange.SinceAsync(0, CancellationToken.None)).Select(u => u.Key), Is.EqualTo(new[] { "b sha256:used-again" }));
    }
}
