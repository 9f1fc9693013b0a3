using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Caching;

/// <summary>
/// Reads the cache's options: where the store is (<c>storage.filesystem.rootdirectory</c>), how long and how
/// much it keeps (<c>proxy.ttl</c>, <c>mirror.maxsize</c>, <c>mirror.lowwatermark</c>, <c>mirror.minfreespace</c>,
/// <c>mirror.sweepinterval</c>), and how long a tag is served without asking (<c>mirror.tagttl</c>).
/// </summary>
internal sealed class CacheOptionsSetup(ConfigurationReader read) :
    IConfigureOptions<StoreOptions>,
    IConfigureOptions<EvictionOptions>,
    IConfigureOptions<TagOptions>
{
    /// <summary>The store's directory: the filesystem store's, or with <c>storage.s3</c> the node's local one (<c>mirror.localdirectory</c>).</summary>
    public void Configure(StoreOptions options) =>
        options.RootDirectory = read.Value(read.Has(ConfigurationKeys.S3) ? ConfigurationKeys.LocalDirectory : ConfigurationKeys.RootDirectory) ?? options.RootDirectory;

    public void Configure(EvictionOptions options)
    {
        options.Ttl = read.Duration<EvictionOptions>(ConfigurationKeys.Ttl) ?? options.Ttl;
        options.MaxSize = read.Size<EvictionOptions>(ConfigurationKeys.MaxSize) ?? options.MaxSize;
        options.MinFreeSpace = read.Size<EvictionOptions>(ConfigurationKeys.MinFreeSpace) ?? options.MinFreeSpace;
        options.SweepInterval = read.Duration<EvictionOptions>(ConfigurationKeys.SweepInterval, allowZero: false) ?? options.SweepInterval;
        if (read.Value(ConfigurationKeys.LowWatermark) is { } watermark)
        {
            options.LowWatermark = watermark.EndsWith('%')
                && double.TryParse(watermark[..^1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                && percent is > 0 and <= 100
                    ? percent / 100
                    : throw ConfigurationReader.Invalid<EvictionOptions>(ConfigurationKeys.LowWatermark, watermark, "is not a percentage such as 90%");
        }
    }

    public void Configure(TagOptions options) => options.Ttl = read.Duration<TagOptions>(ConfigurationKeys.TagTtl) ?? options.Ttl;
}
