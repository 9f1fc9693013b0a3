using System.Text;
using Mirror.Tests.Support;
using static Mirror.Tests.Support.TestTokens;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Nothing the mirror does not understand goes upstream: every path under <c>/v2</c> that is not one of its
/// routes (another letter case, a trailing slash, <c>//</c>, encoded separators and dots, unknown endpoints,
/// a referrers request whose digest is malformed), and the catalog, is answered by the mirror, on GET and HEAD, without authentication
/// and with each mode's most capable client. The upstream's request log is the proof.
/// </summary>
[TestFixture]
internal sealed class UnroutedPathsTests
{
    private const string Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Password = "alice-secret-0b7e";

    private TestDirectory _directory = null!;
    private FakeRegistry _upstream = null!;
    private TestTokens _tokens = null!;
    private readonly Dictionary<string, (MirrorFactory Mirror, string? Authorization)> _mirrors = [];

    /// <summary>
    /// A path under <c>/v2</c> (or next to it), the answer a client that may have everything gets, and whether
    /// a token granting the repository and the catalog is refused instead (outside a repository, a token
    /// reaches <c>/v2/</c> and the catalog only).
    /// </summary>
    private static readonly (string Target, int Status, string? Code, bool TokenRefused)[] Paths =
    [
        ("/v2/library/busybox/manifests/latest/", 404, "UNSUPPORTED", true),
        ($"/v2/library/busybox/blobs/sha256:{Hex}/", 404, "UNSUPPORTED", true),
        ("/v2/library/busybox/tags/list/", 404, "UNSUPPORTED", true),
        ("/v2/_catalog/", 404, "UNSUPPORTED", true),
        ("/V2/library/busybox/manifests/latest", 404, "UNSUPPORTED", true),
        ("/V2/", 404, "UNSUPPORTED", true),
        ("/v2/library/busybox/Manifests/latest", 404, "UNSUPPORTED", true),
        ($"/v2/library/busybox/BLOBS/sha256:{Hex}", 404, "UNSUPPORTED", true),
        ($"/v2/library/busybox/blobs/SHA256:{Hex}", 400, "DIGEST_INVALID", false),
        ("/v2/library/busybox/TAGS/list", 404, "UNSUPPORTED", true),
        ("/v2/_CATALOG", 404, "UNSUPPORTED", true),
        ("//v2/library/busybox/manifests/latest", 404, "UNSUPPORTED", false),
        ("/v2//library/busybox/manifests/latest", 400, "NAME_INVALID", true),
        ("/v2/library//busybox/manifests/latest", 400, "NAME_INVALID", true),
        ("/v2/library/busybox/manifests//latest", 404, "UNSUPPORTED", true),
        ("/v2/library%2Fbusybox/manifests/latest", 400, "NAME_INVALID", false),
        ("/v2/library/busybox/manifests/latest%2F", 400, "NAME_INVALID", false),
        ("/v2/library/busybox%2fmanifests%2flatest", 400, "NAME_INVALID", false),
        ("/v2/library/%2e%2e/busybox/manifests/latest", 400, "NAME_INVALID", false),
        ($"/v2/library/busybox/blobs/sha256:{Hex}/%2e%2e", 400, "NAME_INVALID", false),
        ("/v2/library/busybox/manifests/latest/..", 400, "NAME_INVALID", false),
        ("/v2/library/busybox/manifests/latest;x=1", 400, "TAG_INVALID", false),
        ("/v2/library/busybox/unknown", 404, "UNSUPPORTED", true),
        ("/v2/library/busybox/manifests", 404, "UNSUPPORTED", true),
        ("/v2/library/busybox", 404, "UNSUPPORTED", true),
        ("/v2/foo", 404, "UNSUPPORTED", true),
        ("/v2/library/busybox/referrers/latest", 400, "DIGEST_INVALID", false),
        ("/v2/library/busybox/blobs/uploads/", 404, "BLOB_UPLOAD_UNKNOWN", false),
        ("/v2/_catalog", 200, null, false),
        ("/v2/_catalog?n=10&last=a", 200, null, false),
    ];

    [OneTimeSetUp]
    public async Task StartMirrors()
    {
        _directory = new TestDirectory();
        _upstream = new FakeRegistry();
        _tokens = Rsa();
        var htpasswd = _directory.Combine("htpasswd");
        var made = await EndToEnd.Command.RunAsync("htpasswd", ["-cbB", htpasswd, "alice", Password]);
        Assert.That(made.Succeeded, Is.True, made.ToString());
        var bundle = _directory.Combine("bundle.pem");
        await File.WriteAllTextAsync(bundle, _tokens.CertificatePem);

        _mirrors["none"] = (new MirrorFactory(_upstream.Url, _directory.Combine("none")), null);
        _mirrors["htpasswd"] = (new MirrorFactory(_upstream.Url, _directory.Combine("htpasswd-store"), new Dictionary<string, string?>
        {
            ["auth:htpasswd:realm"] = "Mirror Realm",
            ["auth:htpasswd:path"] = htpasswd,
        }), "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Password}")));
        _mirrors["token"] = (new MirrorFactory(_upstream.Url, _directory.Combine("token-store"), new Dictionary<string, string?>
        {
            ["auth:token:realm"] = "http://127.0.0.1:1/token",
            ["auth:token:service"] = Service,
            ["auth:token:issuer"] = Issuer,
            ["auth:token:rootcertbundle"] = bundle,
        }), "Bearer " + _tokens.Issue(["repository:library/busybox:pull", "registry:catalog:*"]));
    }

    [OneTimeTearDown]
    public void StopMirrors()
    {
        foreach (var (mirror, _) in _mirrors.Values)
        {
            mirror.Dispose();
        }

        _tokens.Dispose();
        _upstream.Dispose();
        _directory.Dispose();
    }

    [SetUp]
    public void ForgetUpstreamRequests() => _upstream.Server.ResetLogEntries();

    private static IEnumerable<TestCaseData> Cases() =>
        from auth in new[] { "none", "htpasswd", "token" }
        from method in new[] { "GET", "HEAD" }
        from path in Paths
        let refused = auth == "token" && path.TokenRefused
        select new TestCaseData(auth, method, path.Target, refused ? 401 : path.Status, refused ? "UNAUTHORIZED" : path.Code).SetArgDisplayNames(auth, method, path.Target);

    [TestCaseSource(nameof(Cases))]
    public async Task Send_PathTheMirrorDoesNotForward_IsAnsweredHereAndNothingReachesTheUpstream(string auth, string method, string target, int status, string? code)
    {
        var (mirror, authorization) = _mirrors[auth];

        var (answered, body) = await RawHttp.SendAsync(mirror.Address, method, target, authorization);

        Assert.Multiple(() =>
        {
            Assert.That(answered, Is.EqualTo(status));
            if (method == "GET" && code is not null)
            {
                Assert.That(OciErrors.CodeOf(body), Is.EqualTo(code));
            }

            Assert.That(_upstream.Log.Select(e => $"{e.RequestMessage.Method} {e.RequestMessage.Path}"), Is.Empty);
        });
    }
}
