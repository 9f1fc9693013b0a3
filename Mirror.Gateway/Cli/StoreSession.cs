using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirror.Cache;
using Mirror.Cache.Buckets;
using Mirror.Cache.Maintenance;
using Mirror.Cache.Policy;
using Mirror.Cache.Storage;
using Mirror.Gateway.Caching;
using Mirror.Gateway.Cluster;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Listening;
using Mirror.Gateway.Policy;
using Mirror.Gateway.Upstream;
using Mirror.Gateway.Watch;

namespace Mirror.Gateway.Cli;

/// <summary>
/// The store of a configuration, opened for <c>ls</c>, <c>verify</c> and <c>gc</c> without the web host:
/// the configuration is read as serving reads it (the YAML, then <c>REGISTRY_*</c>; a bad value is one line
/// naming its key), and the cache's own services are built on it with
/// <see cref="StoreOptions.ReadOnlyMetadata"/>, since a server may be running on the same store. No hosted
/// service is started: no sweeper, no removal of temp files (a running server's fills are there).
/// </summary>
internal sealed class StoreSession : IDisposable
{
    private readonly ServiceProvider _services;

    private StoreSession(ServiceProvider services)
    {
        _services = services;
        Maintenance = services.GetRequiredService<StoreMaintenance>();
        Cluster = services.GetRequiredService<IOptions<ClusterOptions>>().Value;
    }

    public StoreMaintenance Maintenance { get; }

    /// <summary>The configuration's <c>mirror.policy</c>, over this store (<c>verify --policy</c>).</summary>
    public PolicyAudit Policy => _services.GetRequiredService<PolicyAudit>();

    /// <summary>
    /// The configuration's cluster, as serving decides it: with <see cref="ClusterOptions.IsCluster"/> the store
    /// belongs to a cluster, whose tags, links and uses are in Redis and in each node's metadata, not in the
    /// store's own metadata read here.
    /// </summary>
    public ClusterOptions Cluster { get; }

    /// <summary>With <c>storage.s3</c>, the bucket and its prefix as <c>ls</c> names them (<c>s3://bucket/mirror</c>).</summary>
    public string BucketName => _services.GetRequiredService<IOptions<BucketOptions>>().Value is var bucket
        ? $"s3://{bucket.Bucket}/{bucket.RootDirectory.Trim('/')}".TrimEnd('/')
        : string.Empty;

    public EvictionOptions Eviction => _services.GetRequiredService<IOptions<EvictionOptions>>().Value;

    /// <summary>
    /// Opens the store <paramref name="configurationFile"/> names, or says on standard error why not and
    /// returns <c>null</c>; <paramref name="writes"/>: the command removes files, so the store must be writable.
    /// </summary>
    public static StoreSession? Open(string? configurationFile, bool writes)
    {
        var configuration = new ConfigurationManager();
        ServiceProvider? services = null;
        try
        {
            configuration.AddDistributionConfiguration(configurationFile);
            if (DistributionConfiguration.RefusedSettings(configuration) is [_, ..] refused)
            {
                return Failed(refused);
            }

            // With storage.s3, the node's local directory (its journals and its copies of the bucket's content).
            var reader = new ConfigurationReader(configuration);
            var key = reader.Has(ConfigurationKeys.S3) ? ConfigurationKeys.LocalDirectory : ConfigurationKeys.RootDirectory;
            var root = reader.Value(key) ?? new StoreOptions().RootDirectory;
            // With a bucket, a node's empty local directory is a store too: the bucket holds the content.
            var bucket = reader.Has(ConfigurationKeys.S3);
            if (bucket ? !Directory.Exists(root) : !Directory.Exists(Path.Combine(root, "blobs")) && !Directory.Exists(Path.Combine(root, "manifests")))
            {
                // Not made here: a mistyped path is reported, not turned into an empty store.
                return Failed([$"{key}: '{Path.GetFullPath(root)}' " + (bucket ? "does not exist" : "holds no store (no blobs/ or manifests/)")]);
            }

            services = Compose(configuration, writes, bucket).BuildServiceProvider();
            services.GetRequiredService<IStartupValidator>().Validate();
            var session = new StoreSession(services);
            services = null;
            return session;
        }
        catch (OptionsValidationException ex)
        {
            return Failed(ex.Failures);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FormatException or InvalidDataException)
        {
            return Failed([ex is InvalidDataException { InnerException: { } inner } ? inner.Message : ex.Message]);
        }
        finally
        {
            services?.Dispose();
        }
    }

    public void Dispose() => _services.Dispose();

    /// <summary>
    /// The cache's own services, with every option serving reads (so a value serving would refuse is refused
    /// here too), logging warnings to standard error; with a <paramref name="bucket"/>, a cluster node's.
    /// </summary>
    private static ServiceCollection Compose(IConfiguration configuration, bool writes, bool bucket)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddDistributionOptions(configuration)
            .AddCacheOptions()
            .AddPolicyOptions()
            .AddUpstreamOptions()
            .AddWatchOptions()
            .AddOptionsSetup<ClusterOptions, ClusterOptionsSetup>()
            .AddServerOptions()
            .AddFrontProxyOptions();
        if (bucket)
        {
            // A cluster on a bucket as serving composes it: its tags and links are Redis's, by which ls names the
            // bucket's images (an empty local directory knows none). No lease or record is written from here.
            services.AddCache(ClusterOptionsSetup.ComposedClusterOf(configuration));
        }
        else
        {
            services.AddMirrorCache();
        }

        services.PostConfigure<StoreOptions>(options => options.ReadOnlyMetadata = true);
        if (!writes)
        {
            // ls only reads: a store it may not write (a read-only mount, another user's) is still listed.
            services.RemoveAll<IValidateOptions<StoreOptions>>();
        }

        return services;
    }

    private static StoreSession? Failed(IEnumerable<string> failures)
    {
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"mirror: configuration: {failure}");
        }

        return null;
    }
}
