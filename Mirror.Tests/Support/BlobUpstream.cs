using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Support;

/// <summary>
/// A registry upstream for blobs, on Kestrel at a free loopback port, that sends <c>Content-Length</c> and
/// honours <c>Range</c> as distribution does (WireMock always answers chunked), and misbehaves on request:
/// slow bodies, broken connections, flipped bytes, 500s. Every request is logged.
/// </summary>
internal sealed class BlobUpstream : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (byte[] Content, BlobFaults Faults)> _blobs = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly WebApplication _app;
    private int _cuts;
    private int _completed;

    private BlobUpstream(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Each request as <c>METHOD path [range]</c>.</summary>
    public IReadOnlyCollection<string> Log => _log;

    public static async Task<BlobUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new BlobUpstream(app);
        app.Run(upstream.ServeAsync);
        await app.StartAsync();
        upstream.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return upstream;
    }

    public Digest Add(string repository, byte[] content, BlobFaults? faults = null)
    {
        var digest = Digest.Compute(content);
        _blobs[$"/v2/{repository}/blobs/{digest}"] = (content, faults ?? new BlobFaults());
        return digest;
    }

    /// <summary>How many GET bodies were sent to their end.</summary>
    public int CompletedBodies => Volatile.Read(ref _completed);

    public int Count(string method) => _log.Count(l => l.StartsWith(method + " ", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        _log.Enqueue($"{request.Method} {request.Path} {request.Headers.Range}".TrimEnd());
        if (!_blobs.TryGetValue(request.Path.Value!, out var blob))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var (content, faults) = blob;
        if (faults.ResetFirst > 0)
        {
            faults.ResetFirst--;
            context.Abort();
            return;
        }

        if (faults.FailFirst > 0)
        {
            faults.FailFirst--;
            context.Response.StatusCode = 500;
            return;
        }

        long start = 0;
        var end = content.LongLength;
        var range = request.GetTypedHeaders().Range;
        if (range is { Ranges.Count: 1 } && !faults.IgnoreRange && range.Ranges.Single() is { From: { } from } item)
        {
            start = from;
            end = item.To is { } to ? Math.Min(to + 1, end) : end;
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = new ContentRangeHeaderValue(start, end - 1, content.LongLength).ToString();
        }

        context.Response.ContentLength = end - start;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers["Docker-Content-Digest"] = Digest.Compute(content).ToString();
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        var stall = faults.StallAt;
        faults.StallAt = null;
        var cut = faults.CutAfter is { } cutAfter && Interlocked.Increment(ref _cuts) <= faults.CutTimes ? cutAfter : (long?)null;
        var chunk = faults.BytesPerSecond is { } rate ? Math.Max(1, rate / 10) : 64 * 1024;
        for (var position = start; position < end;)
        {
            var count = (int)Math.Min(chunk, end - position);
            if (cut is { } limit && position + count > limit)
            {
                await context.Response.Body.WriteAsync(content.AsMemory((int)position, (int)Math.Max(0, limit - position)));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }

            if (stall is { } stallAt && position + count > stallAt)
            {
                count = (int)Math.Max(1, stallAt - position);
                stall = null;
                await context.Response.Body.WriteAsync(content.AsMemory((int)position, count));
                await context.Response.Body.FlushAsync();
                position += count;
                await Task.Delay(faults.StallFor, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            var piece = content.AsSpan((int)position, count).ToArray();
            if (faults.FlipAt is { } flip && flip >= position && flip < position + count)
            {
                piece[flip - position] ^= 0xFF;
            }

            await context.Response.Body.WriteAsync(piece);
            await context.Response.Body.FlushAsync();
            position += count;
            if (faults.BytesPerSecond is not null && position < end)
            {
                await Task.Delay(100);
            }
        }

        Interlocked.Increment(ref _completed);
    }
}
