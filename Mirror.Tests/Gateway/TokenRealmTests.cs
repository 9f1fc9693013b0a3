using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Registry;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The one token request of distribution's token authentication, which the mirror's upstream pipeline and its
/// prefetch client share: what it asks the realm, and what it makes of each kind of answer.
/// </summary>
[TestFixture]
internal sealed class TokenRealmTests
{
    private static readonly AuthChallenge Challenge = new(AuthChallenge.Bearer, new Uri("https://auth.example/token?client=mirror"), "registry.example", null);

    [Test]
    public async Task RequestAsync_ServiceScopeAndCredentials_AskedAfterTheRealmsOwnQuery()
    {
        HttpRequestMessage? asked = null;
        var realm = Realm(request =>
        {
            asked = request;
            return Answer(HttpStatusCode.OK, """{"token":"t0k3n","expires_in":300}""");
        });

        var answer = await realm.RequestAsync(Challenge, "repository:org/app:pull", new BasicCredentials("alice", "pw").ToHeader(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(asked!.RequestUri, Is.EqualTo(new Uri("https://auth.example/token?client=mirror&service=registry.example&scope=repository%3Aorg%2Fapp%3Apull")));
            Assert.That(asked.Headers.Authorization, Is.EqualTo(new BasicCredentials("alice", "pw").ToHeader()));
            Assert.That((answer.Status, answer.Token, answer.Lifetime), Is.EqualTo((TokenStatus.Granted, "t0k3n", TimeSpan.FromMinutes(5))));
        });
    }

    [TestCase("""{"access_token":"oauth"}""", "oauth")]
    [TestCase("""{"token":"","access_token":"oauth"}""", "oauth")]
    [TestCase("""{"token":"t","expires_in":"soon"}""", "t")]
    public async Task RequestAsync_TokenWithoutUsableLifetime_IsGrantedForTheSpecsDefault(string body, string token)
    {
        var answer = await Realm(_ => Answer(HttpStatusCode.OK, body)).RequestAsync(Challenge, null, null, CancellationToken.None);

        Assert.That((answer.Status, answer.Token, answer.Lifetime), Is.EqualTo((TokenStatus.Granted, token, TokenRealm.DefaultLifetime)));
    }

    [TestCase(HttpStatusCode.Unauthorized, "", TokenStatus.Refused)]
    [TestCase(HttpStatusCode.OK, """{"token":""}""", TokenStatus.Refused)]
    [TestCase(HttpStatusCode.OK, """{"token":42}""", TokenStatus.Refused)]
    [TestCase(HttpStatusCode.OK, """["t0k3n"]""", TokenStatus.Refused)]
    [TestCase(HttpStatusCode.OK, "not json", TokenStatus.Unreachable)]
    [TestCase(HttpStatusCode.ServiceUnavailable, "", TokenStatus.Unreachable)]
    [TestCase(HttpStatusCode.TooManyRequests, "", TokenStatus.Unreachable)]
    public async Task RequestAsync_NoTokenInTheAnswer_SaysWhy(HttpStatusCode status, string body, TokenStatus expected)
    {
        var answer = await Realm(_ => Answer(status, body)).RequestAsync(Challenge, null, null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer.Status, Is.EqualTo(expected));
            Assert.That(answer.Token, Is.Null);
        });
    }

    [Test]
    public async Task RequestAsync_AnswerOverTheBound_IsOverLimitHavingReadNoMore()
    {
        var body = $$"""{"token":"{{new string('t', 2000)}}"}""";

        var answer = await new TokenRealm((_, _) => Task.FromResult(Answer(HttpStatusCode.OK, body)), 1000, TimeSpan.FromSeconds(10))
            .RequestAsync(Challenge, null, null, CancellationToken.None);

        Assert.That((answer.Status, answer.Token), Is.EqualTo((TokenStatus.OverLimit, (string?)null)));
    }

    [Test]
    public async Task RequestAsync_RealmNeverAnswers_IsUnreachableWithinTheTimeout()
    {
        var realm = new TokenRealm(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Answer(HttpStatusCode.OK, string.Empty);
        }, 1000, TimeSpan.FromMilliseconds(100));

        var answer = await realm.RequestAsync(Challenge, null, null, CancellationToken.None);

        Assert.That(answer.Status, Is.EqualTo(TokenStatus.Unreachable));
    }

    private static TokenRealm Realm(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new((request, _) => Task.FromResult(answer(request)), 64 * 1024, TimeSpan.FromSeconds(10));

    private static HttpResponseMessage Answer(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
}
