using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Tags;
using Mirror.Tests.Support;
using static Mirror.Tests.Support.TestTokens;

namespace Mirror.Tests.Gateway;

/// <summary>
/// <c>/v2/_catalog</c> is answered from the store, as distribution's proxy answers it: the repositories pulled
/// through the mirror (or known from earlier runs), paged by <c>n</c> and <c>last</c> as distribution pages them,
/// under <c>registry:catalog:*</c> with token auth, and never asked upstream.
/// </summary>
[TestFixture]
internal sealed class CatalogTests : FakeUpstreamTests
{
    private const string Ghcr = "ghcr.io";
    private static readonly byte[] Manifest = Manifests.Bytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}""");

    [Test]
    public async Task Get_AfterPulls_ListsTheRepositoriesPulledAndAsksNothingUpstream()
    {
        Upstream.AddManifest("library/busybox", "latest", Manifest, MediaTypes.OciManifest);
        var blob = Upstream.AddBlob("org/app", Encoding.UTF8.GetBytes("a layer"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        using var client = mirror.CreateClient();
        foreach (var path in new[] { "/v2/busybox/manifests/latest", "/v2/library/busybox/manifests/latest", $"/v2/org/app/blobs/{blob}", "/v2/org/missing/manifests/1.0" })
        {
            (await client.GetAsync(path)).Dispose();
        }

        Upstream.Server.ResetLogEntries();

        var (repositories, link) = await CatalogAsync(client, "/v2/_catalog");

        Assert.Multiple(() =>
        {
            Assert.That(repositories, Is.EqualTo(new[] { "library/busybox", "org/app" }), "Docker Hub's name, once; the name the upstream refused is not there");
            Assert.That(link, Is.Null);
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Get_NoN_IsDistributionsPageOf100WithALinkToTheNext()
    {
        using var mirror = StoreOf(150);
        using var client = mirror.CreateClient();

        var (repositories, link) = await CatalogAsync(client, "/v2/_catalog");

        Assert.Multiple(() =>
        {
            Assert.That(repositories, Is.EqualTo(Enumerable.Range(0, 100).Select(Repository)));
            Assert.That(link, Is.EqualTo("</v2/_catalog?n=100&last=team%2Fapp-099>; rel=\"next\""));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Get_FollowingTheLinks_ListsEveryRepositoryOnceInOrder()
    {
        using var mirror = StoreOf(150);
        using var client = mirror.CreateClient();

        var seen = new List<string>();
        var pages = 0;
        for (string? next = "/v2/_catalog?n=40"; next is not null; pages++)
        {
            var (repositories, link) = await CatalogAsync(client, next);
            seen.AddRange(repositories);
            next = link is null ? null : link[1..link.IndexOf('>', StringComparison.Ordinal)];
        }

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 150).Select(Repository)));
            Assert.That(pages, Is.EqualTo(4));
        });
    }

    [TestCase("/v2/_catalog?n=2&last=team/app-010", new[] { "team/app-011", "team/app-012" }, "</v2/_catalog?n=2&last=team%2Fapp-012>; rel=\"next\"")]
    [TestCase("/v2/_catalog?last=team/app-148", new[] { "team/app-149" }, null)]
    [TestCase("/v2/_catalog?n=0", new string[0], null)]
    [TestCase("/v2/_catalog?n=1000", null, null)]
    public async Task Get_NAndLast_PageAsDistributionDoes(string path, string[]? expected, string? expectedLink)
    {
        using var mirror = StoreOf(150);
        using var client = mirror.CreateClient();

        var (repositories, link) = await CatalogAsync(client, path);

        Assert.Multiple(() =>
        {
            Assert.That(repositories, Is.EqualTo(expected ?? Enumerable.Range(0, 150).Select(Repository)));
            Assert.That(link, Is.EqualTo(expectedLink));
        });
    }

    [TestCase("-1")]
    [TestCase("x")]
    [TestCase("1001")]
    public async Task Get_BadN_Is400PaginationNumberInvalid(string n)
    {
        using var mirror = StoreOf(1);
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/_catalog?n={n}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("PAGINATION_NUMBER_INVALID"));
        });
    }

    [Test]
    public async Task Get_AnotherRegistrysRepository_IsListedBehindItsHostAndPullsByThatName()
    {
        using var ghcr = new FakeRegistry();
        ghcr.AddManifest("org/app", "1.0", Manifest, MediaTypes.OciManifest);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { [$"mirror:upstreams:{Ghcr}:remoteurl"] = ghcr.Url });
        using var client = mirror.CreateClient();
        (await client.GetAsync($"/v2/org/app/manifests/1.0?ns={Ghcr}")).Dispose();

        var (repositories, _) = await CatalogAsync(client, "/v2/_catalog");
        using var pull = await client.GetAsync($"/v2/{repositories.Single()}/manifests/1.0");

        Assert.Multiple(() =>
        {
            Assert.That(repositories, Is.EqualTo(new[] { "ghcr.io/org/app" }));
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Log, Is.Empty, "docker.io was never asked");
        });
    }

    [Test]
    public async Task Get_StoreOfManyRegistries_TakesPrefixesOffAndLeavesOutRegistriesNoLongerMirrored()
    {
        Seed(("org/app", "1.0"), ("ghcr.io//owner/tool", "1.0"), ("registry.example//dockerhub-proxy/library/nginx", "1.27"),
            ("registry.example//elsewhere/app", "1.0"), ("gone.example//owner/old", "1.0"));
        await File.WriteAllTextAsync(TempDir.Combine("store", "metadata", "links.txt"), $"linked/only {Digest.Compute(Manifest)}\n");
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            [$"mirror:upstreams:{Ghcr}:remoteurl"] = "http://127.0.0.1:1",
            ["mirror:upstreams:registry.example:remoteurl"] = "http://127.0.0.1:1",
            ["mirror:upstreams:registry.example:prefix"] = "dockerhub-proxy",
        });
        using var client = mirror.CreateClient();

        var (repositories, _) = await CatalogAsync(client, "/v2/_catalog");

        Assert.That(repositories, Is.EqualTo(new[] { "ghcr.io/owner/tool", "linked/only", "org/app", "registry.example/library/nginx" }));
    }

    [Test]
    public async Task Get_TokenAuth_NeedsTheCatalogScope()
    {
        using var tokens = Rsa();
        var bundle = TempDir.Combine("bundle.pem");
        await File.WriteAllTextAsync(bundle, tokens.CertificatePem);
        Seed(("org/app", "1.0"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:token:realm"] = "http://127.0.0.1:1/token",
            ["auth:token:service"] = Service,
            ["auth:token:issuer"] = Issuer,
            ["auth:token:rootcertbundle"] = bundle,
        });
        using var client = new HttpClient { BaseAddress = mirror.Address };

        using var pullOnly = await SendAsync(client, new AuthenticationHeaderValue("Bearer", tokens.Issue(["repository:org/app:pull"])));
        using var catalog = await SendAsync(client, new AuthenticationHeaderValue("Bearer", tokens.Issue(["registry:catalog:*"])));

        Assert.Multiple(async () =>
        {
            Assert.That(pullOnly.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(pullOnly.Headers.WwwAuthenticate.ToString(), Does.Contain("scope=\"registry:catalog:*\"").And.Contain("error=\"insufficient_scope\""));
            Assert.That(await OciErrors.CodeOf(pullOnly), Is.EqualTo("UNAUTHORIZED"));
            Assert.That(catalog.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await catalog.Content.ReadAsStringAsync(), Is.EqualTo("{\"repositories\":[\"org/app\"]}"));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Get_HtpasswdAuth_AnyUserListsTheCatalogAndNoOneElse()
    {
        var htpasswd = TempDir.Combine("htpasswd");
        var made = await EndToEnd.Command.RunAsync("htpasswd", ["-cbB", htpasswd, "alice", "alice-pass-31c4"]);
        Assert.That(made.Succeeded, Is.True, made.ToString());
        Seed(("org/app", "1.0"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:htpasswd:realm"] = "Mirror Realm",
            ["auth:htpasswd:path"] = htpasswd,
        });
        using var client = new HttpClient { BaseAddress = mirror.Address };

        using var anonymous = await SendAsync(client, null);
        using var alice = await SendAsync(client, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-pass-31c4"))));

        Assert.Multiple(async () =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(alice.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await alice.Content.ReadAsStringAsync(), Is.EqualTo("{\"repositories\":[\"org/app\"]}"));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    private static string Repository(int index) => $"team/app-{index:D3}";

    /// <summary>A mirror on a store whose tag journal, from an earlier run, knows <paramref name="count"/> repositories.</summary>
    private MirrorFactory StoreOf(int count)
    {
        Seed(Enumerable.Range(0, count).Reverse().Select(i => (Repository(i), "latest")).ToArray());
        return new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
    }

    /// <summary>Writes the tag journal an earlier run left: one tag of each repository (by its store key).</summary>
    private void Seed(params (string Key, string Tag)[] tags)
    {
        var metadata = TempDir.Combine("store", "metadata");
        Directory.CreateDirectory(metadata);
        var digest = Digest.Compute(Manifest).ToString();
        File.WriteAllLines(Path.Combine(metadata, "tags.jsonl"), tags.Select(t =>
            JsonSerializer.Serialize(new TagRecord(t.Key, t.Tag, digest, MediaTypes.OciManifest, Manifest.Length, DateTimeOffset.UnixEpoch))));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/_catalog");
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }

    private static async Task<(IReadOnlyList<string> Repositories, string? Link)> CatalogAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var repositories = json.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()!).ToList();
        return (repositories, response.Headers.TryGetValues("Link", out var link) ? link.Single() : null);
    }
}
