using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Cluster;
using Mirror.Cache.Concurrency;
using Mirror.Gateway.Cluster;
using Mirror.Gateway.Configuration;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Single node or cluster is decided once, from the parsed <c>redis</c> section (<see cref="ClusterOptions.IsCluster"/>):
/// <c>redis.addr</c> and a one-entry <c>redis.addrs</c> both make a cluster node, and serving's composition takes
/// the same answer as the options the command line reads.
/// </summary>
[TestFixture]
internal sealed class ClusterDecisionTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [TestCase("log: {level: info}", false, null, null)]
    [TestCase("redis: {addr: ''}", false, null, null)]
    [TestCase("redis: {addrs: []}", false, null, null)]
    [TestCase("redis: {db: 2}", false, null, null)]
    [TestCase("redis: {addr: '127.0.0.1:6379'}", true, "127.0.0.1:6379", "redis.addr")]
    [TestCase("redis: {addrs: ['127.0.0.1:6380']}", true, "127.0.0.1:6380", "redis.addrs")]
    [TestCase("redis:\n  addrs:\n    - redis.internal:6379", true, "redis.internal:6379", "redis.addrs")]
    [TestCase("redis: {addr: '127.0.0.1:6379', addrs: ['127.0.0.1:6379']}", true, "127.0.0.1:6379", "redis.addr")]
    public void ClusterOf_RedisSection_IsAClusterNodeWhenEitherKeyNamesARedis(string yaml, bool isCluster, string? address, string? key)
    {
        var configuration = Load(yaml);
        var composed = ClusterOptionsSetup.ClusterOf(configuration);
        using var services = new ServiceCollection().AddDistributionOptions(configuration).AddOptionsSetup<ClusterOptions, ClusterOptionsSetup>().BuildServiceProvider();
        var bound = services.GetRequiredService<IOptions<ClusterOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(composed.IsCluster, Is.EqualTo(isCluster));
            Assert.That(composed.Address, Is.EqualTo(address));
            Assert.That(composed.AddressKey, Is.EqualTo(key), "what messages name");
            Assert.That((bound.IsCluster, bound.Address, bound.AddressKey), Is.EqualTo((isCluster, address, key)), "the options the command line and the services read say the same");
        });
    }

    [TestCase("http: {addr: '10.0.0.5:5001'}", "http://10.0.0.5:5001/")]
    [TestCase("http: {addr: '10.0.0.5:5001', tls: {certificate: c, key: k}}", "https://10.0.0.5:5001/")]
    [TestCase("http: {addr: '10.0.0.5:5001'}\nmirror: {cluster: {url: 'http://mirror-a.internal:8080'}}", "http://mirror-a.internal:8080/")]
    public void ClusterOf_Url_IsTheGivenOneOrTheListeningAddress(string yaml, string url) =>
        Assert.That(ClusterOptionsSetup.ClusterOf(Load("redis: {addr: '127.0.0.1:6379'}\n" + yaml)).Url, Is.EqualTo(new Uri(url)));

    [Test]
    public void ClusterOf_ListeningOnEveryAddress_NamesTheHost() =>
        Assert.That(ClusterOptionsSetup.ClusterOf(Load("redis: {addr: '127.0.0.1:6379'}\nhttp: {addr: ':5002'}")).Url, Is.EqualTo(new UriBuilder("http", Environment.MachineName, 5002).Uri));

    [Test]
    public async Task AddMirror_RedisAddrsWithOneEntry_ComposesAClusterNode()
    {
        // Nothing listens there: the node starts all the same and reports the cluster degraded.
        using var mirror = new MirrorFactory("http://127.0.0.1:9", _directory.Combine("store"), new Dictionary<string, string?>
        {
            ["redis:addrs:0"] = $"127.0.0.1:{FreePort.Next()}",
            ["redis:dialtimeout"] = "200ms",
        });

        var coordinator = mirror.Services.GetRequiredService<IClusterCoordinator>();
        var flight = mirror.Services.GetRequiredService<ISharedFlight>();
        var fills = mirror.Services.GetRequiredService<IFillRunner>();
        var checks = mirror.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name);
        using var client = new HttpClient { BaseAddress = mirror.Address };
        var ready = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(coordinator, Is.TypeOf<RedisCoordinator>(), "Redis coordinates this node's fills and sweeps");
            Assert.That(flight, Is.TypeOf<ClusterFlight>(), "tag checks and manifest fetches are shared with the other nodes");
            Assert.That(fills, Is.TypeOf<ClusterFillRunner>(), "one node per digest fetches, the others follow");
            Assert.That(checks, Does.Contain("cluster"));
            Assert.That(ready, Does.Contain("\"cluster\":{\"status\":\"Degraded\""));
        });
    }

    private IConfigurationRoot Load(string yaml)
    {
        var file = _directory.Combine("config.yml");
        File.WriteAllText(file, yaml + "\n");
        return new ConfigurationBuilder().Add(new YamlConfigurationSource { Path = file, Optional = false }.Also(s => s.ResolveFileProvider())).Build();
    }
}
