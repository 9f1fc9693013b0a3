using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Tests.Support;

/// <summary>
/// The gateway in-process on Kestrel at a free loopback port (real HTTP, so raw request targets, limits and
/// aborted connections behave as they do for clients), configured through the same configuration keys the YAML file
/// sets (<c>proxy:remoteurl</c> and so on), with its store in a directory of the test's own.
/// </summary>
internal sealed class MirrorFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public MirrorFactory(string upstream, string store, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["proxy:remoteurl"] = upstream,
            ["storage:filesystem:rootdirectory"] = store,
            ["http:addr"] = "127.0.0.1:0",
        };
        _services = services;
        Logs = new TestLoggerProvider();
        UseKestrel();
    }

    /// <summary>The mirror's main address (not <c>http.debug.addr</c>), once started.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var debug = _settings.GetValueOrDefault("http:debug:addr");
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            return new Uri(addresses.First(a => debug is null || !a.EndsWith(debug[debug.LastIndexOf(':')..], StringComparison.Ordinal)));
        }
    }

    public TestLoggerProvider Logs { get; }

    /// <summary>
    /// The bytes of a blob once it is committed under its digest: clients have their last byte when it
    /// verified, and the commit (past an fsync) follows, so this waits for the store's commit signal.
    /// </summary>
    public async Task<byte[]> ReadCommittedBlobAsync(Digest digest)
    {
        await Services.GetRequiredService<StoreIndex>().WhenCommittedAsync(ContentKind.Blob, digest, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return await File.ReadAllBytesAsync(Services.GetRequiredService<StoreLayout>().PathOf(ContentKind.Blob, digest));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
