using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>Kestrel's limits as the mirror sets them, against clients that hold connections open.</summary>
[TestFixture]
internal sealed class HostileClientTests
{
    /// <summary>A minimum response rate a test can see act within seconds.</summary>
    private static readonly Dictionary<string, string?> FastCutOff = new()
    {
        ["mirror:limits:minresponserate"] = "1MiB/s",
        ["mirror:limits:minresponsegrace"] = "1s",
    };

    [Test]
    public async Task SlowHeaders_ConnectionClosedAfterTheHeaderTimeout_WhileAPromptClientIsServed()
    {
        using var directory = new TestDirectory();
        using var upstream = new FakeRegistry();
        using var mirror = new MirrorFactory(upstream.Url, directory.Combine("store"), new Dictionary<string, string?> { ["mirror:limits:headertimeout"] = "1s" });
        using var slow = new TcpClient();
        await slow.ConnectAsync(mirror.Address.Host, mirror.Address.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: a"));

        var (status, _) = await RawHttp.GetAsync(mirror.Address, "/v2/");
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(answer.ToString(), Does.StartWith("HTTP/1.1 408").Or.Empty, "the trickling client is cut off (Kestrel answers 408, or just closes)");
        });
    }

    [Test]
    public async Task ClientThatNeverReadsAWarmBlob_IsCutOffAtTheMinimumRate_AndTheFileIsNoLongerHeldAgainstEviction()
    {
        using var directory = new TestDirectory();
        using var upstream = new FakeRegistry();

        // More than the socket buffers on both ends take from a client that reads nothing.
        var content = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        var digest = upstream.AddBlob("library/busybox", content);
        using var mirror = new MirrorFactory(upstream.Url, directory.Combine("store"), new Dictionary<string, string?>
        {
            ["mirror:limits:minresponserate"] = "1MiB/s",
            ["mirror:limits:minresponsegrace"] = "1s",
            ["proxy:ttl"] = "1s",
        });
        using (var warm = new HttpClient { BaseAddress = mirror.Address })
        {
            Assert.That(await warm.GetByteArrayAsync($"/v2/library/busybox/blobs/{digest}"), Is.EqualTo(content));
        }

        await mirror.ReadCommittedBlobAsync(digest);
        var file = mirror.Services.GetRequiredService<StoreLayout>().PathOf(ContentKind.Blob, digest);
        var evictor = mirror.Services.GetRequiredService<StoreEvictor>();
        using var hits = new MetricCollector<long>(mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "registry_proxy_hits");
        using var stalled = new TcpClient { ReceiveBufferSize = 64 * 1024 };
        await stalled.ConnectAsync(mirror.Address.Host, mirror.Address.Port);
        var stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /v2/library/busybox/blobs/{digest} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        await Eventually.TrueAsync(() => hits.GetMeasurementSnapshot().Sum(m => m.Value) == 1, "the stalled request is served from the stored file");

        // Expired (proxy.ttl 1s) but read: kept while the response holds it, removed by a sweep once it lets go.
        // Kestrel's own minimum rate would hold it for minutes.
        await Eventually.TrueAsync(
            () =>
            {
                evictor.Sweep();
                return !File.Exists(file);
            },
            "the stalled response is aborted and the sweep removes the expired blob",
            TimeSpan.FromSeconds(15));
        var received = await ReadToEndAsync(stream);

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.LessThan(content.Length), "the client got part of the body and then the end of the connection");
            Assert.That(mirror.Logs.Lines, Has.Some.Contains("mirror.limits.minresponserate"));
        });
    }

    [Test]
    public async Task ClientThatNeverReadsAFill_IsCutOff_WhileTheFillGoesOnForOthers()
    {
        using var directory = new TestDirectory();
        await using var upstream = await BlobUpstream.StartAsync();
        var content = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        var digest = upstream.Add("library/busybox", content);
        using var mirror = new MirrorFactory(upstream.Url.ToString(), directory.Combine("store"), FastCutOff);
        using var stalled = new TcpClient { ReceiveBufferSize = 64 * 1024 };
        await stalled.ConnectAsync(mirror.Address.Host, mirror.Address.Port);
        var stream = stalled.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /v2/library/busybox/blobs/{digest} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        await mirror.Logs.WaitForAsync("mirror.limits.minresponserate", TimeSpan.FromSeconds(15));
        var received = await ReadToEndAsync(stream);

        Assert.Multiple(async () =>
        {
            Assert.That(received, Is.LessThan(content.Length));
            Assert.That(await mirror.ReadCommittedBlobAsync(digest), Is.EqualTo(content), "the fill is not the client's: it goes on to its commit");
        });
    }

    [Test]
    public async Task UpstreamStallingLongerThanTheGrace_AClientFollowingTheFill_IsNotCutOff()
    {
        using var directory = new TestDirectory();
        await using var upstream = await BlobUpstream.StartAsync();
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var digest = upstream.Add("library/busybox", content, new BlobFaults { StallAt = 256 * 1024, StallFor = TimeSpan.FromSeconds(4) });
        using var mirror = new MirrorFactory(upstream.Url.ToString(), directory.Combine("store"), FastCutOff);
        using var client = new HttpClient { BaseAddress = mirror.Address };

        var body = await client.GetByteArrayAsync($"/v2/library/busybox/blobs/{digest}");

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(content), "waiting for the upstream is not the client's slowness");
            Assert.That(mirror.Logs.Lines, Has.None.Contains("mirror.limits.minresponserate"));
        });
    }

    /// <summary>What a client that now reads gets before the connection ends (closed or reset).</summary>
    private static async Task<long> ReadToEndAsync(NetworkStream stream)
    {
        var buffer = new byte[256 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var total = 0L;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // Reset: as good as closed.
        }

        return total;
    }
}
