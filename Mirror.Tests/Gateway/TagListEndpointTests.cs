using System.Net;
using System.Text.Json;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class TagListEndpointTests : InProcessMirrorTests
{
    [SetUp]
    public void StubUpstream()
    {
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/app/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"name\":\"org/app\",\"tags\":[\"v2\",\"latest\",\"v1\",\"v10\",\"v1\"]}"));
    }

    [Test]
    public async Task Get_All_SortedWithoutDuplicates()
    {
        using var response = await Client.GetAsync("/v2/org/app/tags/list");

        var (name, tags) = await ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(name, Is.EqualTo("org/app"));
            Assert.That(tags, Is.EqualTo(new[] { "latest", "v1", "v10", "v2" }));
            Assert.That(response.Headers.Contains("Link"), Is.False);
        });
    }

    [Test]
    public async Task Get_FirstPage_HasLinkToTheNext()
    {
        using var response = await Client.GetAsync("/v2/org/app/tags/list?n=2");

        var (_, tags) = await ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(tags, Is.EqualTo(new[] { "latest", "v1" }));
            Assert.That(response.Headers.GetValues("Link").Single(), Is.EqualTo("</v2/org/app/tags/list?n=2&last=v1>; rel=\"next\""));
        });
    }

    [Test]
    public async Task Get_LastPage_AfterLastHasNoLink()
    {
        using var response = await Client.GetAsync("/v2/org/app/tags/list?n=2&last=v1");

        var (_, tags) = await ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(tags, Is.EqualTo(new[] { "v10", "v2" }));
            Assert.That(response.Headers.Contains("Link"), Is.False);
        });
    }

    [Test]
    public async Task Get_UpstreamPaginates_FollowsItsLinks()
    {
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/paged/tags/list").WithParam("last", "b").UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"org/paged\",\"tags\":[\"c\"]}"));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/paged/tags/list").UsingGet()).AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Link", "</v2/org/paged/tags/list?n=2&last=b>; rel=\"next\"")
                .WithBody("{\"name\":\"org/paged\",\"tags\":[\"a\",\"b\"]}"));

        using var response = await Client.GetAsync("/v2/org/paged/tags/list");

        var (_, tags) = await ReadAsync(response);
        Assert.That(tags, Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public async Task Get_UnknownRepository_Is404NameUnknown()
    {
        using var response = await Client.GetAsync("/v2/org/nothing/tags/list");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("NAME_UNKNOWN"));
    }

    [Test]
    public async Task Get_UpstreamPagesOnAnotherHost_AreNotFollowed()
    {
        using var elsewhere = new FakeRegistry();
        elsewhere.Server.Given(Request.Create().WithPath("/v2/org/paged/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"org/paged\",\"tags\":[\"elsewhere\"]}"));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/paged/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("Link", $"<{elsewhere.Url}/v2/org/paged/tags/list?last=a>; rel=\"next\"")
                .WithBody("{\"name\":\"org/paged\",\"tags\":[\"a\"]}"));

        using var response = await Client.GetAsync("/v2/org/paged/tags/list");

        var (_, tags) = await ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(tags, Is.EqualTo(new[] { "a" }));
            Assert.That(elsewhere.Log, Is.Empty, "the next page's host never sees the mirror's request, nor its credentials");
        });
    }

    private static async Task<(string? Name, string[] Tags)> ReadAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("name").GetString(), json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
    }
}
