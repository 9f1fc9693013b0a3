using System.Net.Sockets;
using System.Text;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>Kestrel's limits as the mirror sets them, against clients that hold connections open.</summary>
[TestFixture]
internal sealed class HostileClientTests
{
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
}
