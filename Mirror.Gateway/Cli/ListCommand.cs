using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mirror.Cache.Maintenance;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli;

/// <summary>
/// <c>ls [config.yml] [--json]</c>: what the store holds: each repository's images with their tags, digests,
/// platforms, stored size (marked <c>(pinned)</c> when expiry and the size budget never remove it) and last
/// pull, and the store's totals. Reads only; safe beside a running server.
/// </summary>
internal static class ListCommand
{
    public const string Name = "ls";

    private const string ByDigestName = "(by digest)";

    public static Command Create(Argument<string?> config)
    {
        var json = new Option<bool>("--json") { Description = "Print the listing as JSON, for scripts." };
        var command = new Command(Name, "List what the store holds: repositories, tags and digests, sizes, last pulls.") { config, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = StoreSession.Open(parsed.GetValue(config), writes: false);
            if (session is null)
            {
                return ExitCodes.Failed;
            }

            if (session.Cluster.IsCluster && !session.Maintenance.HasBucket)
            {
                await Console.Error.WriteLineAsync(
                    $"mirror: ls: {session.Cluster.AddressKey} is set: a cluster keeps its tags, repositories and pulls in Redis; "
                    + "listed here is what the store's files and its own metadata say");
            }

            await session.Maintenance.LoadAsync(cancellationToken);

            // With storage.s3 the bucket is listed (its images named by Redis's tags in a cluster), not the local directory.
            var inventory = await session.Maintenance.BucketInventoryAsync(session.BucketName, cancellationToken)
                ?? session.Maintenance.Inventory();
            if (parsed.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(ToJson(inventory), ListJson.Output.ListedStore));
            }
            else
            {
                var bucket = await session.Maintenance.BucketTotalsAsync(cancellationToken);
                var console = Terminal.Create(unwrapped: true);
                if (bucket is not null)
                {
                    console.WriteLine($"Bucket: {bucket.Blobs} blobs, {bucket.Manifests} manifests, {ByteSize.Format(bucket.Bytes)}; {bucket.NotLocal} of them not in the local directory");
                }

                Print(console, inventory, bucket is not null);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, StoreInventory inventory, bool bucket)
    {
        console.MarkupLineInterpolated($"Store [bold]{inventory.Root}[/]: {inventory.Blobs} blobs, {inventory.Manifests} manifests, {ByteSize.Format(inventory.Bytes)}");
        var byDigest = inventory.ByDigest ?? [];
        if (inventory.Repositories.Count == 0 && byDigest.Count == 0)
        {
            console.WriteLine("No repository is known to the store yet.");
            return;
        }

        var table = new Table().Border(TableBorder.None);
        // The bucket keeps no pulls: an image's time there is its object's last write.
        foreach (var column in new[] { "REPOSITORY", "TAG", "DIGEST", "PLATFORMS", "SIZE", bucket ? "WRITTEN" : "LAST PULL" })
        {
            table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))).NoWrap().PadLeft(0).PadRight(2));
        }

        foreach (var repository in inventory.Repositories)
        {
            foreach (var image in repository.Images)
            {
                AddImage(table, repository.Key.ToString(), image);
            }

            if (repository.Images.Count == 0)
            {
                table.AddRow(new Text(repository.Key.ToString()), new Text("-"), new Text($"{repository.Blobs} blobs"), new Text("-"), new Text(ByteSize.Format(repository.BlobBytes)), new Text("-"));
            }
        }

        foreach (var image in byDigest)
        {
            AddImage(table, ByDigestName, image);
        }

        console.Write(table);
        if (byDigest.Count > 0)
        {
            console.WriteLine($"{ByDigestName}: {byDigest.Count} images in the bucket whose repository and tags no record read here names "
                + "(a single node keeps them in its local directory's metadata, a cluster in Redis); listed by their manifests' digests.");
        }

        if (inventory.UnclaimedFiles > 0)
        {
            console.WriteLine($"Held by no known repository: {inventory.UnclaimedFiles} files, {ByteSize.Format(inventory.UnclaimedBytes)} (stored before repositories were recorded, or their manifests have gone).");
        }
    }

    private static void AddImage(Table table, string repository, ImageInventory image) =>
        table.AddRow(
            new Text(repository),
            new Text(image.Tags.Count > 0 ? string.Join(", ", image.Tags) : "<none>"),
            new Text(image.Digest.ToString()),
            new Text(Platforms(image)),
            new Text((image.Stored ? ByteSize.Format(image.Size) : "not stored") + (image.Pinned ? " (pinned)" : string.Empty)),
            new Text(image.LastPull is { } pulled ? Time(pulled) : "-"));

    /// <summary>A list's platforms with those not stored marked (<c>linux/amd64, linux/arm64 (not stored)</c>); <c>-</c> for one image.</summary>
    private static string Platforms(ImageInventory image) =>
        image.Platforms.Count == 0
            ? "-"
            : string.Join(", ", image.Platforms.Select(p => p.Stored ? p.Platform : $"{p.Platform} (not stored)"));

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static ListedStore ToJson(StoreInventory inventory) => new(
        inventory.Root,
        inventory.Blobs,
        inventory.Manifests,
        inventory.Bytes,
        inventory.UnclaimedFiles,
        inventory.UnclaimedBytes,
        inventory.Repositories.Select(r => new ListedRepository(r.Key.ToString(), r.Images.Select(ToJson), r.Blobs, r.BlobBytes, r.LastPull)),
        inventory.ByDigest?.Select(ToJson));

    private static ListedImage ToJson(ImageInventory image) => new(
        image.Digest.ToString(),
        image.Tags,
        image.MediaType,
        image.Stored,
        image.Size,
        image.Platforms.Select(p => new ListedPlatform(p.Platform, p.Digest.ToString(), p.Stored)),
        image.LastPull,
        image.Pinned);
}
