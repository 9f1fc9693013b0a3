using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mirror.Tests.Support;

/// <summary>
/// Docker Hub's pull quota in front of a registry (WireMock or a real <c>docker-registry</c>): an HTTP proxy
/// on Kestrel at a free loopback port that counts a pull per manifest <c>GET</c> answered 200 (<c>HEAD</c>s
/// are free), sends <c>ratelimit-limit: N;w=W</c>, <c>ratelimit-remaining</c> and <c>docker-ratelimit-source</c>
/// on every manifest answer, and past the limit answers manifest GETs <c>429 TOOMANYREQUESTS</c> (with a
/// <c>Retry-After</c> when <see cref="RetryAfterSeconds"/> is set) without asking the registry. Blobs and
/// everything else pass through. Every request is logged.
/// </summary>
internal sealed class RateLimitedUpstream : IAsyncDisposable
{
    private static readonly HashSet<string> Hop = new(StringComparer.OrdinalIgnoreCase) { "Connection", "Transfer-Encoding", "Keep-Alive", "Host" };

    private readonly WebApplication _app;
    private readonly HttpClient _registry;
    private readonly ConcurrentQueue<string> _log = new();
    private int _spent;

    private RateLimitedUpstream(WebApplication app, Uri registry)
    {
        _app = app;
        _registry = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = registry };
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Pulls per window (<c>ratelimit-limit</c>).</summary>
    public int Limit { get; set; } = 100;

    /// <summary>The window in seconds (<c>w=</c>).</summary>
    public int WindowSeconds { get; set; } = 21600;

    /// <summary>The <c>Retry-After</c> of a 429, in seconds; none when <c>null</c>.</summary>
    public int? RetryAfterSeconds { get; set; }

    public string Source { get; set; } = "203.0.113.7";

    /// <summary>Pulls counted in the window: manifest GETs answered 200.</summary>
    public int Spent => Volatile.Read(ref _spent);

    /// <summary>Each request as <c>METHOD path status</c>.</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Manifest GETs that reached this upstream, refused ones included.</summary>
    public int ManifestGets => _log.Count(l => l.StartsWith("GET ", StringComparison.Ordinal) && l.Contains("/manifests/", StringComparison.Ordinal));

    public static async Task<RateLimitedUpstream> StartAsync(Uri registry)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new RateLimitedUpstream(app, registry);
        app.Run(upstream.ServeAsync);
        await app.StartAsync();
        upstream.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return upstream;
    }

    /// <summary>The rolling window has moved on: every pull counted left it.</summary>
    public void Refill() => Interlocked.Exchange(ref _spent, 0);

    /// <summary>One pull spent by another client behind the same address.</summary>
    public void SpendOne() => Interlocked.Increment(ref _spent);

    /// <summary>Spends the quota to none left, as other clients behind the same address would.</summary>
    public void SpendAll() => Interlocked.Exchange(ref _spent, Limit);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _registry.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var manifest = request.Path.Value!.Contains("/manifests/", StringComparison.Ordinal);
        var pull = manifest && HttpMethods.IsGet(request.Method);
        if (pull && Spent >= Limit)
        {
            Refuse(context.Response);
            _log.Enqueue($"{request.Method} {request.Path} 429");
            await context.Response.WriteAsync("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit.\"}]}", context.RequestAborted);
            return;
        }

        using var forwarded = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
        foreach (var (name, values) in request.Headers.Where(h => !Hop.Contains(h.Key)))
        {
            forwarded.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        using var answer = await _registry.SendAsync(forwarded, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var spent = pull && answer.IsSuccessStatusCode ? Interlocked.Increment(ref _spent) : Spent;
        _log.Enqueue($"{request.Method} {request.Path} {(int)answer.StatusCode}");
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !Hop.Contains(h.Key)))
        {
            response.Headers[name] = values.ToArray();
        }

        if (manifest)
        {
            Quota(response, Limit - spent);
        }

        if (!HttpMethods.IsHead(request.Method))
        {
            await answer.Content.CopyToAsync(response.Body, context.RequestAborted);
        }
    }

    private void Refuse(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.ContentType = "application/json";
        Quota(response, 0);
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    private void Quota(HttpResponse response, int remaining)
    {
        response.Headers["ratelimit-limit"] = $"{Limit};w={WindowSeconds}";
        response.Headers["ratelimit-remaining"] = $"{Math.Max(0, remaining)};w={WindowSeconds}";
        response.Headers["docker-ratelimit-source"] = Source;
    }
}
