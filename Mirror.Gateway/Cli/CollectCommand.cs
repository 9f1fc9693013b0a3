using System.CommandLine;
using System.Globalization;
using Mirror.Cache.Storage;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli;

/// <summary>
/// <c>gc [config.yml] [--dry-run]</c>: runs the server's own expiry (<c>proxy.ttl</c>) and size budget
/// (<c>mirror.maxsize</c>) now, and prints each file it removes, or with <c>--dry-run</c> would remove.
/// </summary>
internal static class CollectCommand
{
    public const string Name = "gc";

    public static Command Create(Argument<string?> config)
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print what would be removed, and remove nothing." };
        var command = new Command(Name, "Run expiry (proxy.ttl) and the size budget (mirror.maxsize) now, printing what is removed.") { config, dryRun };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var dry = parsed.GetValue(dryRun);
            using var session = StoreSession.Open(parsed.GetValue(config), writes: !dry);
            if (session is null)
            {
                return ExitCodes.Failed;
            }

            if (session.Cluster.IsCluster)
            {
                // Its uses are in Redis: judged from the store alone, a blob pulled an hour ago on another
                // node would look unused since it was written.
                await Console.Error.WriteLineAsync(
                    $"mirror: gc: {session.Cluster.AddressKey} is set: a cluster's store is collected by its nodes' sweeper "
                    + "(one node at a time), which knows every node's pulls; gc collects a single node's store");
                return ExitCodes.Failed;
            }

            await session.Maintenance.LoadAsync(cancellationToken);
            var console = Terminal.Create();
            var verb = dry ? "would remove" : "removed";
            var result = session.Maintenance.Collect(dry, removed => console.MarkupLineInterpolated(
                $"{verb} {removed.Kind.ToString().ToLowerInvariant()} {removed.Digest} ({ByteSize.Format(removed.Length)}, last pulled {removed.LastUse.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}): {Why(removed.Reason, session.Eviction)}"));

            var files = result.Expired + result.Evicted;
            console.WriteLine(
                $"{(dry ? "Would remove" : "Removed")} {files} files ({ByteSize.Format(result.ExpiredBytes + result.EvictedBytes)}): "
                + $"{result.Expired} expired, {result.Evicted} over the size budget"
                + (result.Busy > 0 ? $"; {result.Busy} left, being read" : string.Empty)
                + ".");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Why(EvictionReason reason, EvictionOptions options) => reason switch
    {
        EvictionReason.Expired => $"not pulled within proxy.ttl ({GoDuration.Format(options.Ttl)})",
        _ => $"least recently pulled past mirror.maxsize ({ByteSize.Format(options.MaxSize ?? 0)})",
    };
}
