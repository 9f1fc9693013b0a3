using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache;
using Mirror.Cache.Blobs;
using Mirror.Cache.Manifests;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Tests.Support;

/// <summary>
/// The cache as the mirror composes it (<see cref="CacheServiceCollectionExtensions.AddMirrorCache"/>) over
/// a test's directory, started as a host starts it (the store opened, tags, links and proofs loaded), on a
/// fake clock. Tests take <see cref="BlobCache"/> and <see cref="ManifestResolver"/> from it, so they are
/// built as the mirror builds them, whatever their constructors become.
/// </summary>
internal sealed class CacheHost : IAsyncDisposable
{
    /// <summary><c>mirror.tagttl</c> here: a tag checked upstream is served as known for this long.</summary>
    public static readonly TimeSpan TagTtl = TimeSpan.FromMinutes(1);

    private readonly IHost _host;

    private CacheHost(IHost host, FakeTimeProvider time, TestLoggerProvider logs)
    {
        _host = host;
        Time = time;
        Logs = logs;
    }

    public FakeTimeProvider Time { get; }

    public TestLoggerProvider Logs { get; }

    public BlobCache Blobs => _host.Services.GetRequiredService<BlobCache>();

    public ManifestResolver Manifests => _host.Services.GetRequiredService<ManifestResolver>();

    /// <summary>The fills running now: a fill leaves once its blob is committed (or it failed).</summary>
    public FillsInFlight Fills => _host.Services.GetRequiredService<FillsInFlight>();

    public static async Task<CacheHost> StartAsync(string root)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new TestLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddLogging(logging => logging.AddProvider(logs));
        builder.Services.AddMetrics();
        builder.Services.Configure<StoreOptions>(options => options.RootDirectory = root);
        builder.Services.Configure<TagOptions>(options => options.Ttl = TagTtl);
        builder.Services.AddMirrorCache();
        var host = builder.Build();
        await host.StartAsync();
        return new CacheHost(host, time, logs);
    }

    /// <summary>Stops the cache, then waits for its fills to leave: a cancelled fill still removes its temp file.</summary>
    public async ValueTask DisposeAsync()
    {
        var fills = Fills;
        await _host.StopAsync();
        _host.Dispose();
        await Eventually.TrueAsync(() => fills.Now().Count == 0, "the stopped cache's fills have left");
    }
}
