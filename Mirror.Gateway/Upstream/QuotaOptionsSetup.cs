using Microsoft.Extensions.Options;
using Mirror.Cache.Quota;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Reads the pulls of each upstream's quota kept for clients: <c>mirror.quota.reserve</c> for every upstream,
/// and an upstream's own <c>mirror.upstreams.&lt;host&gt;.quota.reserve</c>. (The entries' other keys are
/// <see cref="UpstreamsOptionsSetup"/>'s, which reports what is wrong with them; this one reads its own key
/// only, so that one bad value makes one line.)
/// </summary>
internal sealed class QuotaOptionsSetup(ConfigurationReader read) : IConfigureOptions<QuotaOptions>
{
    private const string EntryKey = "quota.reserve";

    public void Configure(QuotaOptions options)
    {
        options.Reserve = Reserve(read, ConfigurationKeys.QuotaReserve) ?? options.Reserve;
        options.FirstUpstream = UpstreamOptions.DockerIo;
        foreach (var entry in read.Children(ConfigurationKeys.Upstreams))
        {
            var host = entry.Key.Replace(YamlConfigurationProvider.EscapedColon, ":", StringComparison.OrdinalIgnoreCase).ToLowerInvariant();
            if (Reserve(read.Under(entry, $"{ConfigurationKeys.Upstreams}.{host}"), EntryKey) is { } reserve)
            {
                options.Reserves[host] = reserve;
            }
        }
    }

    /// <summary>A reserve at <paramref name="key"/>: a whole number of pulls, or a whole percentage of the limit; <c>null</c> when unset.</summary>
    private static PullReserve? Reserve(ConfigurationReader reader, string key) =>
        reader.Value(key) is { } text
            ? PullReserve.TryParse(text) ?? throw ConfigurationReader.Invalid<QuotaOptions>(reader.Name(key), text, "is not a number of pulls such as 10 or a percentage from 0% to 100% such as 20%")
            : null;
}
