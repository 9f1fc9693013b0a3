namespace Mirror.Cache.Blobs;

/// <summary>
/// How the nodes of a cluster on a bucket stream a fill to each other (<see cref="FillPeers"/>): each node
/// names its address in the fill's lease, and a node that follows asks that address for the bytes, signed
/// with the shared secret. Without a bucket the nodes share the store's directory and follow the filler's
/// temp file there instead.
/// </summary>
public sealed class FillPeerOptions
{
    /// <summary>Where a node answers for its fills: <c>/_mirror/fills/&lt;digest&gt;?registry=..&amp;from=..</c>.</summary>
    public const string Path = "/_mirror/fills/";

    /// <summary>This node's address as the other nodes reach it (<c>mirror.cluster.url</c>); none on a single node.</summary>
    public Uri? Address { get; set; }

    /// <summary>The secret the nodes share (<c>http.secret</c>), which signs their requests to each other; none: nothing is streamed or served between nodes.</summary>
    public string? Secret { get; set; }

    /// <summary>What a node's request for a fill signs (<see cref="Concurrency.NodeSignature"/>): the registry (<c>null</c>: the first upstream) and the digest.</summary>
    public static string Subject(string? registry, Protocol.Digest digest) => $"fill {registry} {digest}";
}
