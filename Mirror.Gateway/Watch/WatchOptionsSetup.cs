using Microsoft.Extensions.Options;
using Mirror.Gateway.Registry;
using Mirror.Cache.Protocol;
using Mirror.Cache.Watch;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Watch;

/// <summary>
/// Reads <c>mirror.watch</c>, a list of maps (<c>image</c>, <c>interval</c>, optional <c>platforms</c>; any other
/// key in an entry stops the start, see <see cref="ConfigurationKeys.WatchKeys"/>), and <c>mirror.watchfills</c>.
/// Images are docker's names (<see cref="DockerNames"/>) with a tag (<c>latest</c> when none is written).
/// </summary>
internal sealed class WatchOptionsSetup(ConfigurationReader read, IOptions<UpstreamsOptions> upstreams) : IConfigureOptions<WatchOptions>
{
    /// <summary>The shortest interval: a HEAD a second per tag is already more than any tag moves.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    public void Configure(WatchOptions options)
    {
        options.Fills = read.PositiveInt<WatchOptions>(ConfigurationKeys.WatchFills) ?? options.Fills;
        if (read.Value(ConfigurationKeys.Watch) is { } single)
        {
            throw ConfigurationReader.Invalid<WatchOptions>(ConfigurationKeys.Watch, single, "is a value; give a list of maps such as - {image: nginx:1.27, interval: 10m}");
        }

        var entries = read.Children(ConfigurationKeys.Watch).ToList();
        if (entries.Count == 0 || DockerNames.Of(upstreams) is not { } names)
        {
            return;
        }

        foreach (var entry in entries)
        {
            options.Images.Add(Entry(read.Under(entry, $"{ConfigurationKeys.Watch}.{entry.Key}"), names));
        }
    }

    private static WatchedImage Entry(ConfigurationReader entry, DockerNames names)
    {
        var image = entry.Value("image") ?? throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("image"), "is missing: name the image to keep warm, such as nginx:1.27");
        if (image.Contains('@', StringComparison.Ordinal))
        {
            throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("image"), image, "names a digest, which never moves; watch a tag");
        }

        var (name, tag) = SplitTag(image);
        if (!Reference.IsTag(tag))
        {
            throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("image"), image, "has no valid tag");
        }

        var (repository, problem) = names.Repository(name);
        if (repository is null)
        {
            throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("image"), image, problem!);
        }

        var interval = entry.Duration<WatchOptions>("interval", allowZero: false)
            ?? throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("interval"), "is missing: how often the tag is checked, such as 10m");
        if (interval < MinInterval)
        {
            throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("interval"), entry.Value("interval")!, "is shorter than 1s");
        }

        IReadOnlyList<string>? platforms = null;
        if (entry.Has("platforms"))
        {
            platforms = entry.List("platforms");
            if (platforms.Count == 0 || !platforms.All(PlatformFilter.IsPlatform))
            {
                throw ConfigurationReader.Invalid<WatchOptions>(entry.Name("platforms"), string.Join(", ", platforms), "is not a list of platforms such as [linux/amd64, linux/arm64/v8]");
            }
        }

        return new WatchedImage(repository, tag, interval, platforms);
    }

    /// <summary>Name and tag of <c>name[:tag]</c>: the tag follows the last colon after the last slash (a host's port comes before it).</summary>
    private static (string Name, string Tag) SplitTag(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}
