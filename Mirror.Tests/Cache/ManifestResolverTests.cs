using Mirror.Cache;
using Mirror.Cache.Manifests;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// The manifest decisions of <see cref="ManifestResolver"/> against a scripted upstream: tags served while
/// fresh, checked with a HEAD after, served stale while the upstream cannot be asked; digests fetched once,
/// checked and stored; what is refused; each proven by the upstream's own log.
/// </summary>
[TestFixture]
internal sealed class ManifestResolverTests
{
    private const string App = "library/app";
    private const string Ghcr = "ghcr.io";

    private static readonly RepositoryKey AppKey = RepositoryKey.Of(RepositoryName.Parse(App));
    private static readonly byte[] Image = Manifests.Image(Digest.Compute("config"u8), Digest.Compute("layer"u8));
    private static readonly byte[] NewImage = Manifests.Image(Digest.Compute("config"u8), Digest.Compute("new layer"u8));

    private TestDirectory _directory = null!;
    private CacheHost _cache = null!;
    private ScriptedUpstream _upstream = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TestDirectory();
        _cache = await CacheHost.StartAsync(_directory.Path);
        _upstream = new ScriptedUpstream();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _cache.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task Resolve_TagMiss_ChecksTheTagWithAHeadThenFetchesByDigest()
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");

        var miss = await ResolveAsync(_upstream, AppKey, "latest");

        Assert.Multiple(() =>
        {
            Assert.That(miss.Result, Is.EqualTo(CacheResult.Miss));
            Assert.That(miss.Digest, Is.EqualTo(digest));
            Assert.That(miss.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(miss.Content.ToArray(), Is.EqualTo(Image));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"HEAD {App}/manifests/latest", $"GET {App}/manifests/{digest}" }));
        });
    }

    [Test]
    public async Task Resolve_FreshTag_IsAHitWithoutAskingTheUpstream()
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        _cache.Time.Advance(CacheHost.TagTtl / 2);

        var hit = await ResolveAsync(_upstream, AppKey, "latest");
        var byDigest = await ResolveAsync(_upstream, AppKey, digest.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(hit.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(hit.Content.ToArray(), Is.EqualTo(Image));
            Assert.That(byDigest.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(_upstream.Requests, Has.Count.EqualTo(2), "the first pull's HEAD and GET, and nothing since");
        });
    }

    [Test]
    public async Task Resolve_TagPastItsTtl_IsCheckedWithAHeadAndServedFromTheStore()
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        _cache.Time.Advance(CacheHost.TagTtl * 2);

        var hit = await ResolveAsync(_upstream, AppKey, "latest");

        Assert.Multiple(() =>
        {
            Assert.That(hit.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(hit.Digest, Is.EqualTo(digest));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"HEAD {App}/manifests/latest", $"GET {App}/manifests/{digest}", $"HEAD {App}/manifests/latest" }));
        });
    }

    [Test]
    public async Task Resolve_TagMovedUpstream_IsFoundByTheHeadAndTheNewManifestFetched()
    {
        var before = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        var after = _upstream.AddManifest(App, NewImage, tags: "latest");
        _cache.Time.Advance(CacheHost.TagTtl * 2);

        var moved = await ResolveAsync(_upstream, AppKey, "latest");

        Assert.Multiple(() =>
        {
            Assert.That(moved.Result, Is.EqualTo(CacheResult.Miss));
            Assert.That(moved.Digest, Is.EqualTo(after));
            Assert.That(moved.Content.ToArray(), Is.EqualTo(NewImage));
            Assert.That(_upstream.Requests, Is.EqualTo(new[]
            {
                $"HEAD {App}/manifests/latest", $"GET {App}/manifests/{before}", $"HEAD {App}/manifests/latest", $"GET {App}/manifests/{after}",
            }));
        });
    }

    [TestCase(SourceStatus.Unavailable)]
    [TestCase(SourceStatus.TooManyRequests)]
    public async Task Resolve_TagWhileTheUpstreamCannotBeAsked_IsServedAsLastKnownMarkedStale(SourceStatus status)
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        _cache.Time.Advance(CacheHost.TagTtl * 2);
        _upstream.Failing = status;

        var stale = await ResolveAsync(_upstream, AppKey, "latest");

        Assert.Multiple(() =>
        {
            Assert.That(stale.Result, Is.EqualTo(CacheResult.Stale));
            Assert.That(stale.Digest, Is.EqualTo(digest));
            Assert.That(stale.Content.ToArray(), Is.EqualTo(Image));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"HEAD {App}/manifests/latest", $"GET {App}/manifests/{digest}", $"HEAD {App}/manifests/latest" }));
            Assert.That(_cache.Logs.Lines, Has.Some.Contains($"its last known digest: the upstream is {status}"));
        });
    }

    [Test]
    public async Task Resolve_TagTheUpstreamNoLongerHas_IsNotServedStale()
    {
        _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        _cache.Time.Advance(CacheHost.TagTtl * 2);
        _upstream.Failing = SourceStatus.NotFound;

        var gone = await ResolveAsync(_upstream, AppKey, "latest");

        Assert.Multiple(() =>
        {
            Assert.That(gone.Found, Is.False);
            Assert.That(gone.Status, Is.EqualTo(SourceStatus.NotFound), "a clear answer is passed on: only an upstream that cannot be asked is served around");
            Assert.That(_upstream.Requests, Has.Count.EqualTo(3));
        });
    }

    [Test]
    public async Task Resolve_ConcurrentMissesByDigest_ShareOneUpstreamRequest()
    {
        var digest = _upstream.AddManifest(App, Image);
        _upstream.Hold();

        var first = ResolveAsync(_upstream, AppKey, digest.ToString());
        var second = ResolveAsync(_upstream, AppKey, digest.ToString());
        await Eventually.TrueAsync(() => _upstream.Requests.Count == 1, "the first request's fetch reaches the upstream");
        _upstream.Release();
        var answers = await Task.WhenAll(first, second);

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Result), Is.EqualTo(new[] { CacheResult.Miss, CacheResult.Coalesced }));
            Assert.That(answers.Select(a => a.Content.ToArray()), Is.All.EqualTo(Image));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/manifests/{digest}" }));
        });
    }

    [Test]
    public async Task Resolve_ConcurrentTagChecks_ShareOneHead()
    {
        _upstream.AddManifest(App, Image, tags: "latest");
        _upstream.Hold();

        var first = ResolveAsync(_upstream, AppKey, "latest", describeOnly: true);
        var second = ResolveAsync(_upstream, AppKey, "latest", describeOnly: true);
        await Eventually.TrueAsync(() => _upstream.Requests.Count == 1, "the first request's tag check reaches the upstream");
        _upstream.Release();
        var answers = await Task.WhenAll(first, second);

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Result), Is.EqualTo(new[] { CacheResult.Miss, CacheResult.Coalesced }));
            Assert.That(answers.Select(a => a.Length), Is.All.EqualTo(Image.Length));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"HEAD {App}/manifests/latest" }), "a HEAD stays a HEAD upstream, and one for both");
        });
    }

    [Test]
    public async Task Resolve_StoredButTheRepositoryIsNotKnownToHoldIt_IsRefusedWhenTheUpstreamSaysSo()
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");

        var refused = await ResolveAsync(_upstream, RepositoryKey.Of(RepositoryName.Parse("library/other")), digest.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(refused.Found, Is.False);
            Assert.That(refused.Status, Is.EqualTo(SourceStatus.NotFound));
            Assert.That(refused.Content.IsEmpty, Is.True);
            Assert.That(_upstream.Requests.Skip(2), Is.EqualTo(new[] { $"HEAD library/other/manifests/{digest}" }), "asked whether library/other holds it; never fetched there");
        });
    }

    [Test]
    public async Task Resolve_StoredAndAnotherRepositoryHoldsIt_IsConfirmedOnceThenServedFromTheStore()
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        _upstream.AddManifest("library/other", Image);
        var other = RepositoryKey.Of(RepositoryName.Parse("library/other"));

        var confirmed = await ResolveAsync(_upstream, other, digest.ToString());
        var remembered = await ResolveAsync(_upstream, other, digest.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(remembered.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(_upstream.Requests.Skip(2), Is.EqualTo(new[] { $"HEAD library/other/manifests/{digest}" }), "one HEAD, remembered");
        });
    }

    [Test]
    public async Task Resolve_StoredFromAnotherRegistry_IsFetchedFromItAndCheckedNotServedFromTheStore()
    {
        var digest = _upstream.AddManifest(App, Image, tags: "latest");
        await ResolveAsync(_upstream, AppKey, "latest");
        var ghcr = new ScriptedUpstream(Ghcr);
        var key = new RepositoryKey(Ghcr, RepositoryName.Parse("owner/app"));

        var refused = await ResolveAsync(ghcr, key, digest.ToString());
        ghcr.AddManifest("owner/app", Image);
        var miss = await ResolveAsync(ghcr, key, digest.ToString());
        var hit = await ResolveAsync(ghcr, key, digest.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(SourceStatus.NotFound), "docker.io's copy is never ghcr.io's answer");
            Assert.That(miss.Result, Is.EqualTo(CacheResult.Miss), "stored, but ghcr.io has not served these bytes: no proof, no hit");
            Assert.That(hit.Result, Is.EqualTo(CacheResult.Hit), "served once by ghcr.io, proven there");
            Assert.That(ghcr.Requests, Is.EqualTo(new[] { $"GET owner/app/manifests/{digest}", $"GET owner/app/manifests/{digest}" }));
            Assert.That(_upstream.Requests, Has.Count.EqualTo(2), "docker.io is not asked for ghcr.io's repository");
        });
    }

    [Test]
    public async Task Resolve_ByDigestTheUpstreamSendsOtherBytesFor_IsRefusedAndNotStored()
    {
        var digest = Digest.Compute(Image);
        _upstream.AddManifest(App, NewImage, digest: digest);

        var refused = await ResolveAsync(_upstream, AppKey, digest.ToString());
        var again = await ResolveAsync(_upstream, AppKey, digest.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(SourceStatus.Invalid));
            Assert.That(refused.Content.IsEmpty, Is.True);
            Assert.That(again.Status, Is.EqualTo(SourceStatus.Invalid));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/manifests/{digest}", $"GET {App}/manifests/{digest}" }), "not stored: asked again");
            Assert.That(_cache.Logs.Lines, Has.Some.Contains($"hashes to {Digest.Compute(NewImage)}; not stored, not served"));
        });
    }

    [Test]
    public async Task Resolve_TagOfAnotherType_IsRefusedOnTheHeadAlone()
    {
        _upstream.AddManifest(App, "<html>a login page</html>"u8.ToArray(), "text/html", tags: "latest");

        var refused = await ResolveAsync(_upstream, AppKey, "latest");

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(SourceStatus.Invalid));
            Assert.That(refused.Error?.Message, Does.Contain("text/html"));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"HEAD {App}/manifests/latest" }), "nothing fetched");
        });
    }

    [Test]
    public async Task Resolve_DigestOfAnotherType_IsRefusedAndNotStored()
    {
        var digest = _upstream.AddManifest(App, """{"architecture":"amd64","os":"linux"}"""u8.ToArray(), "application/vnd.oci.image.config.v1+json");

        var refused = await ResolveAsync(_upstream, AppKey, digest.ToString());
        var again = await ResolveAsync(_upstream, AppKey, digest.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(SourceStatus.Invalid));
            Assert.That(again.Status, Is.EqualTo(SourceStatus.Invalid));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/manifests/{digest}", $"GET {App}/manifests/{digest}" }), "not stored: asked again");
        });
    }

    private Task<ManifestLookup> ResolveAsync(ScriptedUpstream upstream, RepositoryKey key, string reference, bool describeOnly = false) =>
        _cache.Manifests.ResolveAsync(upstream, key, Reference.TryParse(reference)!, MediaTypes.AllManifests, describeOnly, CancellationToken.None);
}
