using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary><c>auth.htpasswd</c>: Basic credentials against an htpasswd file that <c>htpasswd -B</c> wrote.</summary>
[TestFixture]
internal sealed class HtpasswdAuthTests : FakeUpstreamTests
{
    private const string Repository = "library/busybox";
    private const string Password = "alice-secret-5d1f";
    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{},"layers":[]}""");

    private MirrorFactory _mirror = null!;
    private HttpClient _client = null!;
    private string _htpasswd = null!;

    [SetUp]
    public async Task StartMirror()
    {
        Upstream.AddManifest(Repository, "latest", Manifest, MediaTypes.DockerManifest);
        _htpasswd = TempDir.Combine("htpasswd");
        await HtpasswdAsync("-cbB", _htpasswd, "alice", Password);
        _mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:htpasswd:realm"] = "Mirror Realm",
            ["auth:htpasswd:path"] = _htpasswd,
            ["http:debug:addr"] = $"127.0.0.1:{FreePort.Next()}",
            ["log:level"] = "debug",
        });
        _client = new HttpClient { BaseAddress = _mirror.Address };
    }

    [TearDown]
    public void StopMirror()
    {
        _client.Dispose();
        _mirror.Dispose();
    }

    [TestCase("/v2/")]
    [TestCase("/v2/library/busybox/manifests/latest")]
    [TestCase("/v2/library/busybox/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("/v2/library/busybox/tags/list")]
    [TestCase("/v2/_catalog")]
    public async Task NoCredentials_401WithTheBasicChallengeAndNothingAskedUpstream(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"Mirror Realm\""));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNAUTHORIZED"));
            Assert.That(response.Headers.GetValues("Docker-Distribution-API-Version").Single(), Is.EqualTo("registry/2.0"));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task RightCredentials_ServesTheApi()
    {
        using var ping = await SendAsync("/v2/", "alice", Password);
        using var manifest = await SendAsync($"/v2/{Repository}/manifests/latest", "alice", Password);

        Assert.Multiple(async () =>
        {
            Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(Manifest));
        });
    }

    [TestCase("alice", "wrong")]
    [TestCase("mallory", Password)]
    [TestCase("alice", "")]
    public async Task WrongCredentials_401AndNothingServed(string user, string password)
    {
        using var response = await SendAsync($"/v2/{Repository}/manifests/latest", user, password);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Basic realm="));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task ManyRequests_OneBcryptRun_AndThePasswordIsNeverLogged()
    {
        using var checks = new MetricCollector<long>(_mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_credential_checks");

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => SendAsync($"/v2/{Repository}/manifests/latest", "alice", Password)));

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(checks.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
            Assert.That(_mirror.Logs.Lines, Has.None.Contain(Password));
            Assert.That(_mirror.Logs.Lines, Has.None.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Password}"))));
        });
    }

    [Test]
    public async Task FileChanged_NewUserLogsIn_RemovedUserNoLonger()
    {
        using (var before = await SendAsync("/v2/", "alice", Password))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var bob = TempDir.Combine("htpasswd.new");
        await HtpasswdAsync("-cbB", bob, "bob", "bob-secret");
        File.Move(bob, _htpasswd, overwrite: true);
        await _mirror.Logs.WaitForAsync("users", TimeSpan.FromSeconds(30), after: () => SendAsync("/v2/", "bob", "bob-secret"));

        using var newUser = await SendAsync("/v2/", "bob", "bob-secret");
        using var removed = await SendAsync("/v2/", "alice", Password);
        Assert.Multiple(() =>
        {
            Assert.That(newUser.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task FileChangedKeepingSizeAndTime_TheNewPasswordIsSeen()
    {
        using (var before = await SendAsync("/v2/", "alice", Password))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        // A new bcrypt hash is as long as the old one; copied with its time kept (cp -p, rsync -a).
        var written = File.GetLastWriteTimeUtc(_htpasswd);
        var replacement = TempDir.Combine("htpasswd.new");
        await HtpasswdAsync("-cbB", replacement, "alice", "a-new-password-5d1f");
        Assert.That(new FileInfo(replacement).Length, Is.EqualTo(new FileInfo(_htpasswd).Length));
        File.Copy(replacement, _htpasswd, overwrite: true);
        File.SetLastWriteTimeUtc(_htpasswd, written);
        await _mirror.Logs.WaitForAsync("Re-read", TimeSpan.FromSeconds(30), after: () => SendAsync("/v2/", "alice", Password));

        using var old = await SendAsync("/v2/", "alice", Password);
        using var changed = await SendAsync("/v2/", "alice", "a-new-password-5d1f");
        Assert.Multiple(() =>
        {
            Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task FileBroken_EveryLoginRefusedUntilMended()
    {
        using (var before = await SendAsync("/v2/", "alice", Password))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await File.AppendAllTextAsync(_htpasswd, "carol:{SHA}notbcrypt\n");
        await _mirror.Logs.WaitForAsync("no longer parses", TimeSpan.FromSeconds(30), after: () => SendAsync("/v2/", "alice", Password));

        using var broken = await SendAsync("/v2/", "alice", Password);
        var mended = TempDir.Combine("htpasswd.mended");
        await HtpasswdAsync("-cbB", mended, "alice", Password);
        File.Move(mended, _htpasswd, overwrite: true);
        await _mirror.Logs.WaitForAsync("Re-read", TimeSpan.FromSeconds(30), after: () => SendAsync("/v2/", "alice", Password));
        using var again = await SendAsync("/v2/", "alice", Password);

        Assert.Multiple(() =>
        {
            Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Metrics_NeedAuthenticationOnTheMainAddress_NotOnTheDebugAddress_HealthOpen()
    {
        var debug = new Uri($"http://{_mirror.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Mirror.Gateway.Listening.ServerOptions>>().Value.DebugAddress}");
        using var anonymous = await _client.GetAsync("/metrics");
        using var authenticated = await SendAsync("/metrics", "alice", Password);
        using var onDebug = await _client.GetAsync(new Uri(debug, "/metrics"));
        using var health = await _client.GetAsync("/healthz");
        using var ready = await _client.GetAsync("/readyz");

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(authenticated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(onDebug.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return await _client.SendAsync(request);
    }

    private static async Task HtpasswdAsync(params string[] arguments)
    {
        var result = await EndToEnd.Command.RunAsync("htpasswd", arguments);
        Assert.That(result.Succeeded, Is.True, result.ToString());
    }
}
