using System.Net;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
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
    public void FailedLogins_SlowDownOnlyTheNameThatFails_FromThatAddress_DoublingToTheCap()
    {
        using var failures = new FailedLogins(new FakeTimeProvider());
        var attacker = IPAddress.Parse("192.0.2.1");
        var bystander = IPAddress.Parse("192.0.2.2");

        var delays = Enumerable.Range(0, 12).Select(_ => failures.Record(attacker, "alice")).ToList();
        var otherName = failures.Record(attacker, "bob");
        var otherAddress = failures.Record(bystander, "alice");

        Assert.Multiple(() =>
        {
            Assert.That(delays.Take(FailedLogins.Allowed - 1), Is.All.EqualTo(TimeSpan.Zero));
            Assert.That(delays[FailedLogins.Allowed - 1], Is.EqualTo(FailedLogins.FirstDelay));
            Assert.That(delays[FailedLogins.Allowed], Is.EqualTo(delays[FailedLogins.Allowed - 1] * 2));
            Assert.That(delays[^1], Is.EqualTo(FailedLogins.MaxDelay));
            Assert.That(otherName, Is.EqualTo(TimeSpan.Zero), "another user name from the same address");
            Assert.That(otherAddress, Is.EqualTo(TimeSpan.Zero), "the same user name from another address");
        });
    }

    [Test]
    public async Task FailedLogins_PastTheLimit_ChecksOfThatNameWaitTheirTurnAndTheDelay_OthersDoNot()
    {
        var time = new FakeTimeProvider();
        using var failures = new FailedLogins(time);
        var address = IPAddress.Parse("192.0.2.7");
        for (var i = 0; i < FailedLogins.Allowed; i++)
        {
            failures.Record(address, "alice");
        }

        var checks = 0;
        var first = failures.CheckAsync(address, "alice", known: true, (_, _) => Task.FromResult(++checks > 0), CancellationToken.None);
        var second = failures.CheckAsync(address, "alice", known: true, (_, _) => Task.FromResult(++checks > 0), CancellationToken.None);
        var otherName = await failures.CheckAsync(address, "bob", known: true, (_, _) => Task.FromResult(true), CancellationToken.None);
        var otherAddress = await failures.CheckAsync(IPAddress.Parse("192.0.2.8"), "alice", known: true, (_, _) => Task.FromResult(true), CancellationToken.None);
        var checkedBeforeTheDelay = checks;
        await Eventually.CompletesAsync(first, time, TimeSpan.FromMilliseconds(300), "the first check runs as the clock moves on");
        var checkedAfterOneDelay = checks;
        await Eventually.CompletesAsync(second, time, TimeSpan.FromMilliseconds(300), "the second check runs as the clock moves on");

        Assert.Multiple(() =>
        {
            Assert.That(otherName, Is.True, "another user from that address is not held up");
            Assert.That(otherAddress, Is.True, "the same user from another address is not held up");
            Assert.That(checkedBeforeTheDelay, Is.Zero, "a flagged name's check waits before it runs, right credentials or wrong");
            Assert.That(checkedAfterOneDelay, Is.EqualTo(1), "one check at a time");
            Assert.That(checks, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task FailedLogins_ChecksOfOneName_RunOneAtATimeEvenBeforeAnyFailure()
    {
        using var failures = new FailedLogins(new FakeTimeProvider());
        var address = IPAddress.Parse("192.0.2.9");
        var release = new TaskCompletionSource<bool>();
        var running = 0;
        var most = 0;
        async Task<bool> Check(bool spraying, CancellationToken cancellationToken)
        {
            most = Math.Max(most, Interlocked.Increment(ref running));
            await release.Task;
            Interlocked.Decrement(ref running);
            return true;
        }

        var sameName = Enumerable.Range(0, 3).Select(_ => failures.CheckAsync(address, "alice", known: true, Check, CancellationToken.None)).ToList();
        var otherName = failures.CheckAsync(address, "bob", known: true, Check, CancellationToken.None);
        var atOnce = most;
        release.SetResult(true);
        await Task.WhenAll([.. sameName, otherName]);

        Assert.That(atOnce, Is.EqualTo(2), "one check of alice's and bob's at once: parallel guesses at one name gain nothing, and they do not hold up another name");
    }

    [Test]
    public async Task FailedLogins_AnAddressFailingWithManyNames_IsToldItIsSpraying()
    {
        using var failures = new FailedLogins(new FakeTimeProvider());
        var sprayer = IPAddress.Parse("192.0.2.10");
        var told = new List<bool>();
        for (var i = 0; i < FailedLogins.Allowed + 2; i++)
        {
            await failures.CheckAsync(sprayer, $"name-{i}", known: false, (spraying, _) => { told.Add(spraying); return Task.FromResult(false); }, CancellationToken.None);
        }

        var elsewhere = false;
        await failures.CheckAsync(IPAddress.Parse("192.0.2.11"), "name-0", known: false, (spraying, _) => Task.FromResult(elsewhere = spraying), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(told.Take(FailedLogins.Allowed), Is.All.False);
            Assert.That(told.Skip(FailedLogins.Allowed), Is.All.True);
            Assert.That(elsewhere, Is.False);
        });
    }

    [Test]
    public void FailedLogins_NamesSprayedPastTheLimit_AreForgotten_AKnownUsersFailuresAreNot()
    {
        using var failures = new FailedLogins(new FakeTimeProvider());
        var address = IPAddress.Parse("192.0.2.12");
        for (var i = 0; i < FailedLogins.Allowed; i++)
        {
            failures.Record(address, "alice");
            failures.Record(address, "unknown-but-tried", known: false);
        }

        for (var i = 0; i < AddressFailures.NamesKept * 4; i++)
        {
            failures.Record(address, $"sprayed-{i}", known: false);
        }

        Assert.Multiple(() =>
        {
            Assert.That(failures.Record(address, "alice"), Is.EqualTo(FailedLogins.FirstDelay * 2), "alice's failures are all still counted");
            Assert.That(failures.Record(address, "bob"), Is.EqualTo(TimeSpan.Zero), "a new name still gets a record of its own, not the sprayed names' failures");
            Assert.That(failures.Record(address, "unknown-but-tried", known: false), Is.EqualTo(TimeSpan.Zero), "an unknown name may be forgotten to make room");
        });
    }

    [Test]
    public void FailedLogins_FailedBearerTokens_AreCountedPerAddress_AndDelayNoUser()
    {
        using var failures = new FailedLogins(new FakeTimeProvider());
        var address = IPAddress.Parse("192.0.2.13");

        var delays = Enumerable.Range(0, FailedLogins.Allowed + 1).Select(_ => failures.Record(address, user: null)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(delays[^1], Is.EqualTo(FailedLogins.FirstDelay * 2));
            Assert.That(failures.Record(address, "alice"), Is.EqualTo(TimeSpan.Zero));
            Assert.That(failures.Record(IPAddress.Parse("192.0.2.14"), user: null), Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public async Task VerifiedCredentials_WrongOnesByTheThousand_DoNotPushOutAGoodOne()
    {
        var time = new FakeTimeProvider();
        using var verified = new VerifiedCredentials(time, capacity: 1000);
        var checks = 0;
        await verified.CheckAsync("good", TimeSpan.FromMinutes(5), _ => Task.FromResult(++checks > 0), CancellationToken.None);

        // More refusals than the memory holds, each new (a guesser never sends the same password twice),
        // until the memory has made room: an old refusal is forgotten. Each probe asks for the next oldest,
        // since asking for one makes it recently used.
        for (var i = 0; i < 1200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            await verified.CheckAsync($"wrong-{i}", TimeSpan.FromMinutes(5), _ => Task.FromResult(false), CancellationToken.None);
        }

        var probe = 0;
        await Eventually.TrueAsync(
            () => verified.CheckAsync($"wrong-{probe++}", TimeSpan.FromMinutes(5), _ => Task.FromResult(true), CancellationToken.None),
            "an old refusal is forgotten to make room");
        var again = await verified.CheckAsync("good", TimeSpan.FromMinutes(5), _ => Task.FromResult(++checks > 0), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(again, Is.True);
            Assert.That(checks, Is.EqualTo(1), "the good credentials are still remembered, not checked (and perhaps slowed) again");
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
}
