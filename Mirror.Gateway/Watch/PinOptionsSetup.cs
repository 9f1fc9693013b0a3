using Microsoft.Extensions.Options;
using Mirror.Cache.Pins;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Watch;

/// <summary>
/// Reads <c>mirror.pin</c>: repository patterns in docker's names (<see cref="DockerNames"/>; <c>nginx</c> is
/// <c>library/nginx</c>), a trailing <c>*</c> matching the rest of the name (<c>ghcr.io/org/*</c>), written as
/// the store keys repositories for people.
/// </summary>
internal sealed class PinOptionsSetup(ConfigurationReader read, IOptions<UpstreamsOptions> upstreams) : IConfigureOptions<PinOptions>
{
    public void Configure(PinOptions options)
    {
        var items = read.List(ConfigurationKeys.Pin);
        if (items.Count == 0 || DockerNames.Of(upstreams) is not { } names)
        {
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            options.Patterns.Add(Pattern(items[i], $"{ConfigurationKeys.Pin}.{i}", names));
        }
    }

    private static string Pattern(string pattern, string key, DockerNames names)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0 && star != pattern.Length - 1)
        {
            throw ConfigurationReader.Invalid<PinOptions>(key, pattern, "has a * before its end; only a trailing * is a pattern");
        }

        var prefix = star < 0 ? pattern : pattern[..^1];
        if (star >= 0 && (prefix.Length == 0 || !prefix.EndsWith('/')))
        {
            throw ConfigurationReader.Invalid<PinOptions>(key, pattern, "is not a repository or a namespace ending in /*, such as library/nginx or ghcr.io/org/*");
        }

        var (registry, rest, problem) = names.Split(star < 0 ? prefix : prefix + "x");
        if (registry is null)
        {
            throw ConfigurationReader.Invalid<PinOptions>(key, pattern, problem!);
        }

        if (RepositoryName.TryParse(rest) is null)
        {
            throw ConfigurationReader.Invalid<PinOptions>(key, pattern, "is not a repository name");
        }

        // The namespace's placeholder component ("x") is dropped again, its * put back.
        var upstreamName = new UpstreamNames(registry).ToUpstream(RepositoryName.Parse(rest)).Value;
        return star < 0 ? names.Keyed(registry, upstreamName) : names.Keyed(registry, upstreamName[..^1]) + "*";
    }
}
