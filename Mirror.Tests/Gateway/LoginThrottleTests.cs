using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Diagnostics;
using Mirror.Gateway.Authentication;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The failed-login throttle of <c>auth.htpasswd</c> with two users behind one address (a shared NAT, a CI
/// runner): someone failing or guessing there must not hold up the other's login.
/// </summary>
[TestFixture]
internal sealed class LoginThrottleTests : FakeUpstreamTests
{
    private const string AlicePassword = "alice-secret-5d1f";
    private const string BobPassword = "bob-secret-8e2a";

    /// <summary>Answered "within a second or two" while the attack runs; the throttle it must not wait for is far longer.</summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(2);

    private MirrorFactory _mirror = null!;
    private HttpClient _client = null!;
    private MetricCollector<long> _checks = null!;

    [SetUp]
    public async Task StartMirror()
    {
        // Cost 8: a spray that ran bcrypt for every name would keep both cores busy.
        var htpasswd = TempDir.Combine("htpasswd");
        await HtpasswdAsync("-cbB", "-C", "8", htpasswd, "alice", AlicePassword);
        await HtpasswdAsync("-bB", "-C", "8", htpasswd, "bob", BobPassword);
        _mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:htpasswd:realm"] = "Mirror Realm",
            ["auth:htpasswd:path"] = htpasswd,
        });
        _client = new HttpClient { BaseAddress = _mirror.Address };
        _checks = new MetricCollector<long>(_mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_credential_checks");
    }

    [TearDown]
    public void StopMirror()
    {
        _checks.Dispose();
        _client.Dispose();
        _mirror.Dispose();
    }

    [Test]
    public async Task OneUserFailingRepeatedly_AnotherUsersFirstLogin_IsAnsweredPromptly()
    {
        await using var attack = Attack(i => ("alice", $"wrong-guess-{i}"));
        await WaitForFailuresAsync(FailedLogins.Allowed + 3);

        var (status, took) = await TimedLoginAsync("bob", BobPassword);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(took, Is.LessThan(Promptly), "bob waited for alice's throttle");
        });
    }

    [Test]
    public async Task AnAddressSprayingUserNames_AnotherUsersFirstLogin_IsAnsweredPromptly_AndTheSprayCostsNoBcrypt()
    {
        await using var attack = Attack(i => ($"sprayed-{i}", $"wrong-guess-{i}"));
        await WaitForFailuresAsync(FailedLogins.Allowed + 3);

        var (status, took) = await TimedLoginAsync("bob", BobPassword);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(took, Is.LessThan(Promptly), "bob waited behind the sprayed names");
        });

        await WaitForFailuresAsync(200);

        // The names tried before the address counted as spraying, those already under way then, and bob's.
        var bcryptRuns = _checks.GetMeasurementSnapshot().Sum(m => m.Value);
        Assert.That(bcryptRuns, Is.LessThanOrEqualTo(FailedLogins.Allowed + Attacker.Loops + 1), "each sprayed name cost a bcrypt run");
    }

    [Test]
    public async Task ARememberedLogin_IsNotDelayed_WhileItsOwnNameIsGuessedFromItsAddress()
    {
        var (first, _) = await TimedLoginAsync("alice", AlicePassword);
        await using var attack = Attack(i => ("alice", $"wrong-guess-{i}"));
        await WaitForFailuresAsync(FailedLogins.Allowed + 3);

        var (again, took) = await TimedLoginAsync("alice", AlicePassword);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(took, Is.LessThan(Promptly), "alice's remembered credentials waited for the guesses at her name");
            Assert.That(_checks.GetMeasurementSnapshot().Count(m => m.Tags["result"] as string == "accepted"), Is.EqualTo(1), "checked once, then remembered");
        });
    }

    private Attacker Attack(Func<int, (string User, string Password)> guess) => new(this, guess);

    private Task WaitForFailuresAsync(int count) =>
        Eventually.TrueAsync(() => _mirror.Logs.Lines.Count(line => line.Contains("Failed htpasswd login", StringComparison.Ordinal)) >= count, $"{count} failed logins");

    /// <summary>A login and how long its answer took; none when it took more than 20 s.</summary>
    private async Task<(HttpStatusCode? Status, TimeSpan Took)> TimedLoginAsync(string user, string password)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await SendAsync(user, password, deadline.Token);
            return (response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            return (null, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string user, string password, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return await _client.SendAsync(request, cancellationToken);
    }

    private static async Task HtpasswdAsync(params string[] arguments)
    {
        var result = await EndToEnd.Command.RunAsync("htpasswd", arguments);
        Assert.That(result.Succeeded, Is.True, result.ToString());
    }

    /// <summary>Wrong logins from the test's address, <see cref="Loops"/> at a time, each a new guess, until disposed.</summary>
    private sealed class Attacker : IAsyncDisposable
    {
        public const int Loops = 8;

        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loops;
        private int _sent;

        public Attacker(LoginThrottleTests test, Func<int, (string User, string Password)> guess) =>
            _loops = Task.WhenAll(Enumerable.Range(0, Loops).Select(_ => Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var (user, password) = guess(Interlocked.Increment(ref _sent));
                    try
                    {
                        using var refused = await test.SendAsync(user, password, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            })));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loops;
            _stop.Dispose();
        }
    }
}
