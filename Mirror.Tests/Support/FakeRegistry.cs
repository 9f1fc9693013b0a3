using System.Text;
using Mirror.Cache.Protocol;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Mirror.Tests.Support;

/// <summary>
/// A WireMock server that answers like a registry for the content the test adds: manifests by tag and by
/// digest, blobs by digest, on HEAD and GET with the headers distribution sends. Optionally it demands a
/// bearer token first, as Docker Hub does. Its request log is the proof of what reached the upstream.
/// </summary>
internal sealed class FakeRegistry : IDisposable
{
    private const int Served = 10;
    private const int Challenge = 100;

    private string? _requiredAuthorization;

    public FakeRegistry()
    {
        // WireMock reports its address as "localhost"; tests speak to 127.0.0.1 only, by that name.
        Url = $"http://127.0.0.1:{FreePort.Next()}";
        Server = WireMockServer.Start(new WireMockServerSettings { Urls = [Url] });
    }

    public WireMockServer Server { get; }

    public string Url { get; }

    public IReadOnlyList<ILogEntry> Log => Server.LogEntries.ToList();

    /// <summary>
    /// From now on content is served only with <c>Authorization: Bearer &lt;token&gt;</c>; anything else gets
    /// a 401 with a Bearer challenge naming <paramref name="realm"/> (add content after calling this).
    /// </summary>
    public void RequireBearer(string realm, string token, string service = "registry.test")
    {
        _requiredAuthorization = "Bearer " + token;
        Server.Given(Request.Create().WithPath("/v2/*").UsingAnyMethod()).AtPriority(Challenge)
            .RespondWith(Response.Create().WithStatusCode(401)
                .WithHeader("WWW-Authenticate", $"Bearer realm=\"{realm}\",service=\"{service}\"")
                .WithHeader("Content-Type", "application/json")
                .WithBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"));
    }

    /// <summary>From now on content is served only with this Basic authorization; else a Basic challenge.</summary>
    public void RequireBasic(string user, string password)
    {
        _requiredAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        Server.Given(Request.Create().WithPath("/v2/*").UsingAnyMethod()).AtPriority(Challenge)
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("WWW-Authenticate", "Basic realm=\"test\""));
    }

    public Digest AddManifest(string repository, string? tag, byte[] content, string mediaType)
    {
        var digest = Digest.Compute(content);
        foreach (var reference in tag is null ? [digest.ToString()] : new[] { tag, digest.ToString() })
        {
            Serve($"/v2/{repository}/manifests/{reference}", content, mediaType, digest);
        }

        return digest;
    }

    public Digest AddBlob(string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        Serve($"/v2/{repository}/blobs/{digest}", content, "application/octet-stream", digest);
        return digest;
    }

    /// <summary>
    /// Answers as a lying registry would: a HEAD of <paramref name="path"/> says it holds
    /// <paramref name="digest"/> (<paramref name="length"/> bytes of <paramref name="mediaType"/>), and a GET
    /// sends <paramref name="body"/>, bytes that do not hash to it, or 404 when there are none.
    /// </summary>
    public void Claim(string path, Digest digest, long length, string mediaType, byte[]? body)
    {
        Server.Given(Request.Create().WithPath(path).UsingHead()).AtPriority(Served).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", mediaType)
            .WithHeader("Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader("Docker-Content-Digest", digest.ToString()));
        Server.Given(Request.Create().WithPath(path).UsingGet()).AtPriority(Served).RespondWith(body is null
            ? Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json").WithBody("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"unknown\"}]}")
            : Response.Create().WithStatusCode(200).WithHeader("Content-Type", mediaType).WithHeader("Docker-Content-Digest", digest.ToString()).WithBody(body));
    }

    public int Count(string method, string pathPrefix) =>
        Log.Count(e => e.RequestMessage.Method == method && e.RequestMessage.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public void Dispose() => Server.Stop();

    private void Serve(string path, byte[] content, string mediaType, Digest digest)
    {
        var get = Request.Create().WithPath(path).UsingGet();
        var head = Request.Create().WithPath(path).UsingHead();
        if (_requiredAuthorization is not null)
        {
            get = get.WithHeader("Authorization", _requiredAuthorization);
            head = head.WithHeader("Authorization", _requiredAuthorization);
        }

        Server.Given(get).AtPriority(Served).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", mediaType)
            .WithHeader("Content-Length", content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader("Docker-Content-Digest", digest.ToString())
            .WithBody(content));
        Server.Given(head).AtPriority(Served).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", mediaType)
            .WithHeader("Content-Length", content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader("Docker-Content-Digest", digest.ToString()));
    }
}
