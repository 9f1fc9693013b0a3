using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.8.2) as the upstream, behind the suite's token service as
/// Docker Hub is behind auth.docker.io. Its access log is the proof of what reached the upstream.
/// </summary>
internal sealed partial class UpstreamRegistry : IDisposable
{
    private readonly ManagedProcess _process;
    private readonly AuthenticationHeaderValue? _basic;

    private UpstreamRegistry(ManagedProcess process, Uri url, AuthenticationHeaderValue? basic = null)
    {
        _process = process;
        Url = url;
        _basic = basic;
    }

    public Uri Url { get; }

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts a registry with its store under <paramref name="directory"/>: with token auth when
    /// <paramref name="tokens"/> is given, with Basic auth (an htpasswd file, as Nexus and Artifactory ask)
    /// for <paramref name="basicUser"/>, or open.
    /// </summary>
    public static async Task<UpstreamRegistry> StartAsync(string directory, TokenService? tokens, int? port = null, (string User, string Password)? basicUser = null)
    {
        Directory.CreateDirectory(directory);
        var address = $"127.0.0.1:{port ?? FreePort.Next()}";
        var config = new StringBuilder($"""
            version: 0.1
            log: {"{"}level: info{"}"}
            storage:
              filesystem: {"{"}rootdirectory: {Path.Combine(directory, "data")}{"}"}
              delete: {"{"}enabled: true{"}"}
            http: {"{"}addr: "{address}"{"}"}

            """);
        if (tokens is not null)
        {
            var bundle = Path.Combine(directory, "token.pem");
            await File.WriteAllTextAsync(bundle, tokens.CertificatePem);
            config.Append($"""
                auth:
                  token:
                    realm: {tokens.Realm}
                    service: {TokenService.Service}
                    issuer: {TokenService.Issuer}
                    rootcertbundle: {bundle}

                """);
        }

        AuthenticationHeaderValue? basic = null;
        if (basicUser is var (user, password))
        {
            var htpasswd = await Command.RunAsync("htpasswd", ["-nbB", user, password]);
            Assert.That(htpasswd.Succeeded, Is.True, htpasswd.ToString());
            var file = Path.Combine(directory, "htpasswd");
            await File.WriteAllTextAsync(file, htpasswd.Output.Trim() + "\n");
            config.Append($"""
                auth:
                  htpasswd: {"{"}realm: basic-realm, path: {file}{"}"}

                """);
            basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return await StartAsync(directory, config.ToString(), new Uri($"http://{address}"), basic);
    }

    /// <summary>distribution's own pull-through proxy (the same binary with a <c>proxy</c> section) in front of <paramref name="remote"/>.</summary>
    public static Task<UpstreamRegistry> StartProxyAsync(string directory, Uri remote, string user, string password)
    {
        Directory.CreateDirectory(directory);
        var address = $"127.0.0.1:{FreePort.Next()}";
        return StartAsync(directory, $"""
            version: 0.1
            log: {"{"}level: info{"}"}
            storage:
              filesystem: {"{"}rootdirectory: {Path.Combine(directory, "data")}{"}"}
            http: {"{"}addr: "{address}"{"}"}
            proxy: {"{"}remoteurl: "{remote}", username: {user}, password: {password}{"}"}

            """, new Uri($"http://{address}"), null);
    }

    /// <summary>
    /// A second, open registry over the store of <paramref name="origin"/> (what was pushed there), served over TLS with
    /// <paramref name="certificates"/>' server certificate for 127.0.0.1, which only their test CA vouches for.
    /// </summary>
    public static Task<UpstreamRegistry> StartTlsAsync(string directory, string origin, TestCertificates certificates)
    {
        Directory.CreateDirectory(directory);
        var address = $"127.0.0.1:{FreePort.Next()}";
        return StartAsync(directory, $"""
            version: 0.1
            log: {"{"}level: info{"}"}
            storage:
              filesystem: {"{"}rootdirectory: {Path.Combine(origin, "data")}{"}"}
            http:
              addr: "{address}"
              tls: {"{"}certificate: {certificates.ServerCertificatePath}, key: {certificates.ServerKeyPath}{"}"}

            """, new Uri($"https://{address}"), null, certificates.CreateClient());
    }

    private static async Task<UpstreamRegistry> StartAsync(string directory, string config, Uri url, AuthenticationHeaderValue? basic, HttpClient? client = null)
    {
        var file = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(file, config);
        var process = ManagedProcess.Start("docker-registry", ["serve", file]);
        var registry = new UpstreamRegistry(process, url, basic);
        using (client ??= new HttpClient())
        {
            await registry.WaitUntilServingAsync(client);
        }

        return registry;
    }

    /// <summary>Each request the registry served, as <c>METHOD /path</c>, in order.</summary>
    public IReadOnlyList<string> Requests =>
        AccessLog().Matches(_process.Output).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToList();

    /// <summary>How many GETs of this blob the registry has completed (it logs a request when its response ends).</summary>
    public int Gets(Mirror.Cache.Protocol.Digest digest) => Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.EndsWith(digest.ToString(), StringComparison.Ordinal));

    public int BlobGets(int since = 0) => Requests.Skip(since).Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/blobs/sha256:", StringComparison.Ordinal));

    /// <summary>Pushes every blob and manifest of <paramref name="image"/> as the admin user (or the Basic user).</summary>
    public async Task PushAsync(TestImage image, TokenService? tokens)
    {
        using var client = new HttpClient { BaseAddress = Url };
        client.DefaultRequestHeaders.Authorization = _basic;
        if (tokens is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(tokens, image.Repository));
        }

        foreach (var blob in image.Blobs)
        {
            await PushBlobAsync(client, image.Repository, blob);
        }

        foreach (var (manifest, reference) in image.Children.Select(c => (c, c.Digest.ToString())).Append((image.Manifest, image.Tag)))
        {
            await PutManifestAsync(client, image.Repository, reference, manifest);
        }
    }

    /// <summary>Pushes one blob (with the admin token when <paramref name="tokens"/> is given).</summary>
    public async Task PushBlobAsync(string repository, ImageBlob blob, TokenService? tokens = null)
    {
        using var client = new HttpClient { BaseAddress = Url };
        if (tokens is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(tokens, repository));
        }

        await PushBlobAsync(client, repository, blob);
    }

    private static async Task PushBlobAsync(HttpClient client, string repository, ImageBlob blob)
    {
        using var exists = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{blob.Digest}"));
        if (exists.StatusCode == HttpStatusCode.OK)
        {
            return;
        }

        using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await start.Content.ReadAsStringAsync());
        var location = start.Headers.Location!.ToString();
        var separator = location.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var content = new ByteArrayContent(blob.Content);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = await client.PutAsync($"{location}{separator}digest={blob.Digest}", content);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
    }

    /// <summary>Points <paramref name="tag"/> of <paramref name="repository"/> at <paramref name="manifest"/>.</summary>
    public static async Task PutManifestAsync(HttpClient client, string repository, string tag, ImageBlob manifest)
    {
        using var content = new ByteArrayContent(manifest.Content);
        content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        using var put = await client.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
    }

    public static async Task<string> AdminTokenAsync(TokenService tokens, string repository)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{tokens.Realm}?service={TokenService.Service}&scope=repository:{repository}:pull,push");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TokenService.AdminUser}:{TokenService.AdminPassword}")));
        using var response = await client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    public void Dispose() => _process.Dispose();

    /// <summary>Stops the registry as an outage would (SIGKILL).</summary>
    public void Kill() => _process.Kill();

    private async Task WaitUntilServingAsync(HttpClient client)
    {
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var response = await client.GetAsync(new Uri(Url, "/v2/"));
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            $"docker-registry answers on {Url}",
            interval: TimeSpan.FromMilliseconds(100),
            hopeless: () => _process.HasExited ? $"it exited with {_process.ExitCode}" : null,
            seen: () => $"Output:\n{_process.Output}");
    }

    // distribution's access log: 127.0.0.1 - - [date] "GET /v2/... HTTP/1.1" 200 ...
    [GeneratedRegex("\"(GET|HEAD|POST|PUT|PATCH|DELETE) (\\S+) HTTP/[0-9.]+\"")]
    private static partial Regex AccessLog();
}
