using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;

namespace Mirror.Gateway.FrontProxy;

/// <summary>
/// Hands a committed blob to the front proxy to send (<c>mirror.accel</c>): the header, and the blob's path
/// under the store's root appended to the configured location. Only for requests that came through a trusted
/// proxy; any other client is served by the mirror itself.
/// </summary>
internal sealed class AccelRedirect
{
    private readonly string _root;

    public AccelRedirect(IOptions<FrontProxyOptions> options, StoreLayout layout)
    {
        Header = options.Value.AccelHeader;
        _root = layout.Root;
        if (Header is not null)
        {
            var location = options.Value.AccelLocation ?? (AccelHeaders.TakesPath(Header) ? layout.Root : AccelHeaders.DefaultAccelLocation);
            Location = location.EndsWith('/') ? location : location + "/";
        }
    }

    /// <summary>The header, or <c>null</c> when blobs are not handed over.</summary>
    public string? Header { get; }

    /// <summary>What a blob's path under the store's root is appended to, ending in <c>/</c>.</summary>
    public string Location { get; } = string.Empty;

    /// <summary>The header and its value that have the front proxy send <paramref name="lease"/>'s file, or <c>null</c> when the mirror sends it.</summary>
    public KeyValuePair<string, string>? For(HttpContext context, StoreLease lease)
    {
        if (Header is null || context.Features.Get<TrustedPeerFeature>() is null)
        {
            return null;
        }

        // The path as the store laid it out (blobs/sha256/ab/ab...), relative to the root the location stands for.
        var relative = Path.GetRelativePath(_root, lease.Path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? null
            : new KeyValuePair<string, string>(Header, Location + relative.Replace(Path.DirectorySeparatorChar, '/'));
    }
}
