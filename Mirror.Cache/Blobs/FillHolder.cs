using System.Globalization;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A fill lease's value, as the node that fills writes it and the nodes that follow read it: the node, its
/// temp file (followed by path where the nodes share the store's directory), the blob's length once known, and
/// the node's address (followed over HTTP where each node's directory is its own, <see cref="FillPeers"/>).
/// </summary>
internal sealed record FillHolder(string Node, string Path, long? Length, Uri? Address)
{
    /// <summary>The lease's value: <c>node|path|length|address</c>, empty fields for what is not known yet.</summary>
    public string Value => $"{Node}|{Path}|{Length?.ToString(CultureInfo.InvariantCulture)}|{Address}";

    public static FillHolder Parse(string value)
    {
        var parts = value.Split('|');
        return new FillHolder(
            parts[0],
            parts.Length > 1 ? parts[1] : string.Empty,
            parts.Length > 2 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : null,
            parts.Length > 3 && Uri.TryCreate(parts[3], UriKind.Absolute, out var address) ? address : null);
    }
}
