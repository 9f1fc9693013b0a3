using System.Net;
using Microsoft.Extensions.Time.Testing;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>The authentication parts on their own: htpasswd parsing, the failed-login slow-down, reading an upstream token's grants.</summary>
[TestFixture]
internal sealed class AuthenticationPartsTests
{
    private const string Bcrypt = "$2y$05$G95hcRXvuD26jCXJfvhLdeNZGMY35kWrNNqBWsR9fGhfcqAwDeGxS";

    [Test]
    public void Htpasswd_CommentsBlanksWhitespaceAndRepeats_AsDistributionReadsThem()
    {
        var file = HtpasswdFile.TryParse($"# users\n\n  alice:{Bcrypt}  \nbob:{Bcrypt.Replace("$2y$", "$2a$", StringComparison.Ordinal)}\r\ncarol:{Bcrypt.Replace("$2y$", "$2b$", StringComparison.Ordinal)}\nalice:{Bcrypt[..^1]}Q\n", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(file!.Users.Keys, Is.EquivalentTo(new[] { "alice", "bob", "carol" }));
            Assert.That(file.Users["alice"], Does.EndWith("Q"), "the later line for a user wins");
        });
    }

    [TestCase("alice:$apr1$OwuPD1u.$1Dbp3LyNUzjlJFy0xxB79.", "line 2 (user alice)")]
    [TestCase("alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "line 2 (user alice)")]
    [TestCase("alice:plaintext", "line 2 (user alice)")]
    [TestCase("no colon here", "line 2 is not user:hash")]
    public void Htpasswd_AnythingButBcrypt_IsAnErrorNamingTheLine(string line, string named)
    {
        var file = HtpasswdFile.TryParse($"ok:{Bcrypt}\n{line}\n", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(file, Is.Null);
            Assert.That(error, Does.Contain(named));
        });
    }

    [Test]
    public void FailedLogins_SlowDownOnlyTheAddressThatFails_DoublingToTheCap()
    {
        using var failures = new FailedLogins(new FakeTimeProvider());
        var attacker = IPAddress.Parse("192.0.2.1");
        var bystander = IPAddress.Parse("192.0.2.2");

        var delays = Enumerable.Range(0, 12).Select(_ => failures.Record(attacker)).ToList();
        var bystanders = failures.Record(bystander);

        Assert.Multiple(() =>
        {
            Assert.That(delays.Take(FailedLogins.Allowed - 1), Is.All.EqualTo(TimeSpan.Zero));
            Assert.That(delays[FailedLogins.Allowed - 1], Is.GreaterThan(TimeSpan.Zero));
            Assert.That(delays[FailedLogins.Allowed], Is.EqualTo(delays[FailedLogins.Allowed - 1] * 2));
            Assert.That(delays[^1], Is.EqualTo(FailedLogins.MaxDelay));
            Assert.That(bystanders, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public async Task FailedLogins_PastTheLimit_ChecksWaitTheirTurnAndTheDelay_BeforeTheAnswer()
    {
        var time = new FakeTimeProvider();
        using var failures = new FailedLogins(time);
        var address = IPAddress.Parse("192.0.2.7");
        for (var i = 0; i < FailedLogins.Allowed; i++)
        {
            failures.Record(address);
        }

        var checks = 0;
        var first = failures.CheckAsync(address, _ => Task.FromResult(++checks > 0), CancellationToken.None);
        var second = failures.CheckAsync(address, _ => Task.FromResult(++checks > 0), CancellationToken.None);
        var elsewhere = await failures.CheckAsync(IPAddress.Parse("192.0.2.8"), _ => Task.FromResult(true), CancellationToken.None);
        var checkedBeforeTheDelay = checks;
        await AdvanceUntilAsync(time, first);
        var checkedAfterOneDelay = checks;
        await AdvanceUntilAsync(time, second);

        Assert.Multiple(() =>
        {
            Assert.That(elsewhere, Is.True, "another address is not held up");
            Assert.That(checkedBeforeTheDelay, Is.Zero, "a flagged address's check waits before it runs, right credentials or wrong");
            Assert.That(checkedAfterOneDelay, Is.EqualTo(1), "one check at a time");
            Assert.That(checks, Is.EqualTo(2));
        });
    }

    [Test]
    public void UpstreamToken_AccessClaimDecides_ATokenWithoutOneDoesNot()
    {
        using var tokens = TestTokens.Rsa();
        var granted = tokens.Issue(["repository:private/app:pull"]);
        var wildcard = tokens.Issue(["repository:private/app:*"]);
        var other = tokens.Issue(["repository:private/other:pull", "repository:private/app:push"]);
        var none = tokens.Sign(new { alg = "RS256" }, new { sub = "alice" });

        Assert.Multiple(() =>
        {
            Assert.That(UpstreamAccessProbe.GrantsFromClaim(granted, "private/app"), Is.True);
            Assert.That(UpstreamAccessProbe.GrantsFromClaim(wildcard, "private/app"), Is.True);
            Assert.That(UpstreamAccessProbe.GrantsFromClaim(other, "private/app"), Is.False);
            Assert.That(UpstreamAccessProbe.GrantsFromClaim(none, "private/app"), Is.Null);
            Assert.That(UpstreamAccessProbe.GrantsFromClaim("opaque-token", "private/app"), Is.Null);
        });
    }

    [Test]
    public void BasicCredentials_NeverPrintThePassword()
    {
        var credentials = BasicCredentials.TryParse("Basic " + Convert.ToBase64String("alice:pa:ss"u8.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(credentials, Is.EqualTo(new BasicCredentials("alice", "pa:ss")));
            Assert.That(credentials!.ToString(), Does.Not.Contain("pa:ss"));
            Assert.That(BasicCredentials.TryParse("Bearer abc"), Is.Null);
            Assert.That(BasicCredentials.TryParse("Basic !!!"), Is.Null);
        });
    }

    /// <summary>Moves the fake clock on until <paramref name="pending"/> completes (its delay may be set after any one move).</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task pending)
    {
        for (var i = 0; i < 100 && !pending.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(300));
            await Task.WhenAny(pending, Task.Delay(10));
        }

        Assert.That(pending.IsCompleted, Is.True, "the check did not run as the clock moved on");
        await pending;
    }
}
