using System.CommandLine;
using System.Globalization;
using Mirror.Cache.Maintenance;
using Mirror.Cache.Storage;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli;

/// <summary>
/// <c>gc [config.yml] [--dry-run]</c>: runs the server's own expiry (<c>proxy.ttl</c>) and size budget
/// (<c>mirror.maxsize</c>) now, and prints each file it removes, or with <c>--dry-run</c> would remove; with
/// <c>storage.s3</c>, deletes the bucket's blobs no manifest in the bucket names too (in a cluster, only those).
/// </summary>
internal static class CollectCommand
{
    public const string Name = "gc";

    /// <summary>How old a blob object no manifest names must be before <c>gc</c> deletes it, unless <c>--older-than</c> says.</summary>
    public static readonly TimeSpan BucketGrace = TimeSpan.FromHours(1);

    public static Command Create(Argument<string?> config)
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print what would be removed, and remove nothing." };
        var olderThan = new Option<string?>("--older-than") { Description = "With storage.s3: delete only the bucket's unnamed blobs written longer ago than this (default 1h)." };
        var command = new Command(Name, "Run expiry (proxy.ttl) and the size budget (mirror.maxsize) now, printing what is removed.") { config, dryRun, olderThan };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var dry = parsed.GetValue(dryRun);
            if (parsed.GetValue(olderThan) is { } given && GoDuration.TryParse(given) is null)
            {
                await Console.Error.WriteLineAsync($"mirror: gc: --older-than: '{given}' is not a duration (1h, 30m)");
                return ExitCodes.Failed;
            }

            var grace = GoDuration.TryParse(parsed.GetValue(olderThan)) ?? BucketGrace;
            using var session = StoreSession.Open(parsed.GetValue(config), writes: !dry);
            if (session is null)
            {
                return ExitCodes.Failed;
            }

            var console = Terminal.Create();
            var verb = dry ? "would remove" : "removed";
            if (session.Cluster.IsCluster)
            {
                // Its uses are in Redis: judged from the store alone, a blob pulled an hour ago on another
                // node would look unused since it was written.
                await Console.Error.WriteLineAsync(
                    $"mirror: gc: {session.Cluster.AddressKey} is set: a cluster's store is collected by its nodes' sweeper "
                    + "(one node at a time), which knows every node's pulls; gc collects a single node's store"
                    + (session.Maintenance.HasBucket ? ", and the bucket's blobs no manifest names" : string.Empty));
                return session.Maintenance.HasBucket ? await CollectBucketAsync(console, session, dry, verb, grace, cancellationToken) : ExitCodes.Failed;
            }

            await session.Maintenance.LoadAsync(cancellationToken);
            var result = session.Maintenance.Collect(dry, removed => console.MarkupLineInterpolated(
                $"{verb} {removed.Kind.ToString().ToLowerInvariant()} {removed.Digest} ({ByteSize.Format(removed.Length)}, last pulled {removed.LastUse.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}): {Why(removed.Reason, session.Eviction)}"));

            var files = result.Expired + result.Evicted;
            console.WriteLine(
                $"{(dry ? "Would remove" : "Removed")} {files} files ({ByteSize.Format(result.ExpiredBytes + result.EvictedBytes)}): "
                + $"{result.Expired} expired, {result.Evicted} over the size budget"
                + (result.Busy > 0 ? $"; {result.Busy} left, being read" : string.Empty)
                + ".");
            return session.Maintenance.HasBucket ? await CollectBucketAsync(console, session, dry, verb, grace, cancellationToken) : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// With <c>storage.s3</c>: the bucket's blobs that no manifest in the bucket names, written more than
    /// <paramref name="grace"/> ago (a blob may be fetched just before the manifest that names it is stored).
    /// </summary>
    private static async Task<int> CollectBucketAsync(IAnsiConsole console, StoreSession session, bool dry, string verb, TimeSpan grace, CancellationToken cancellationToken)
    {
        var result = await session.Maintenance.CollectBucketAsync(dry, DateTimeOffset.UtcNow - grace, removed => console.MarkupLineInterpolated(
            $"{verb} blob {removed.Digest} from the bucket ({ByteSize.Format(removed.Length)}): no manifest in the bucket names it"), cancellationToken);
        if (result.Incomplete)
        {
            await Console.Error.WriteLineAsync("mirror: gc: a manifest in the bucket could not be read, so no blob of it was removed");
            return ExitCodes.Failed;
        }

        console.WriteLine($"{(dry ? "Would remove" : "Removed")} {result.Removed} blobs from the bucket ({ByteSize.Format(result.RemovedBytes)}) that no manifest names; {result.Kept} kept.");
        return ExitCodes.Success;
    }

    private static string Why(EvictionReason reason, EvictionOptions options) => reason switch
    {
        EvictionReason.Expired => $"not pulled within proxy.ttl ({GoDuration.Format(options.Ttl)})",
        _ => $"least recently pulled past mirror.maxsize ({ByteSize.Format(options.MaxSize ?? 0)})",
    };
}
