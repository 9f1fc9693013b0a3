using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// Every key the cluster keeps in Redis, in two spaces that never meet: leases (<c>mirror:lease:&lt;name&gt;</c>,
/// strings that lapse) and records (<c>mirror:record:&lt;fact&gt;</c>, one hash, set or sorted set per fact,
/// kept without expiry). A lease's name comes from a request (a tag, a digest), so it could otherwise name
/// a record's key and find a value of the wrong type.
/// </summary>
internal static class RedisKeys
{
    private const string Prefix = "mirror:";

    /// <summary>Each tag's last check: a hash of <c>&lt;repository&gt;:&lt;tag&gt;</c> to the ticks of the check and the record.</summary>
    public static readonly RedisKey Tags = Prefix + "record:tags";

    /// <summary>Each repository's last tag list: a hash of the repository to the list.</summary>
    public static readonly RedisKey TagLists = Prefix + "record:taglists";

    /// <summary>Which repository holds which digest: a set of <c>&lt;repository&gt; &lt;digest&gt;</c>.</summary>
    public static readonly RedisKey Links = Prefix + "record:links";

    /// <summary>Which registry has served which digest: a set of <c>&lt;digest&gt; &lt;registry&gt;</c> (<c>-</c>, the first upstream).</summary>
    public static readonly RedisKey Proofs = Prefix + "record:proofs";

    /// <summary>The digests some registry has served: a set.</summary>
    public static readonly RedisKey Proven = Prefix + "record:proven";

    /// <summary>Each stored file's last use on any node: a sorted set scored by ticks.</summary>
    public static readonly RedisKey Uses = Prefix + "record:uses";

    /// <summary>
    /// Each upstream's pull quota: a hash of <c>&lt;upstream&gt; &lt;source&gt; reading|hold</c> to the ticks of
    /// the reading or hold and the record (kept without expiry: one field each per upstream and source).
    /// </summary>
    public static readonly RedisKey Quota = Prefix + "record:quota";

    /// <summary>The pulls the nodes spent: a sorted set of <c>&lt;upstream&gt; &lt;source&gt; &lt;ticks&gt; &lt;id&gt;</c> scored by Unix milliseconds, trimmed past a day (or a longer window).</summary>
    public static readonly RedisKey QuotaPulls = Prefix + "record:quota-pulls";

    /// <summary>
    /// The records' generation: set by the first node that seeds an empty Redis; a node that finds it gone
    /// or changed seeds the records again from its journals (Redis restarted empty, or flushed).
    /// </summary>
    public static readonly RedisKey Generation = Prefix + "record:generation";

    /// <summary>The lease <paramref name="name"/> (<c>fill/...</c>, <c>tag/...</c>, <c>manifest/...</c>, <c>sweeper</c>).</summary>
    public static RedisKey Lease(string name) => Prefix + "lease:" + name;
}
