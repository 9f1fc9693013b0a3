using System.CommandLine;
using Mirror.Cache.Maintenance;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli;

/// <summary>
/// <c>verify [config.yml]</c>: re-hashes every stored blob and manifest (with <c>storage.s3</c>, every object of the
/// bucket too), removes each file (or object) whose bytes do not match its name, and says which; exits with <see cref="ExitCodes.Corrupt"/> when it found any. Safe beside
/// a running server (<see cref="StoreMaintenance.VerifyAsync"/>), which fetches a removed file again when it
/// is next asked for.
/// </summary>
internal static class VerifyCommand
{
    public const string Name = "verify";

    public static Command Create(Argument<string?> config)
    {
        var policy = new Option<bool>("--policy") { Description = "Instead, decide every stored image again by mirror.policy, from the store alone; report, remove nothing." };
        var command = new Command(Name, "Re-hash every stored blob and manifest; remove and report those whose bytes do not match their digest.") { config, policy };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = StoreSession.Open(parsed.GetValue(config), writes: !parsed.GetValue(policy));
            if (session is null)
            {
                return ExitCodes.Failed;
            }

            if (parsed.GetValue(policy))
            {
                return await PolicyAsync(Terminal.Create(), session, cancellationToken);
            }

            var console = Terminal.Create();
            // Two walks of the directories rather than a list of the whole store: the first for the total.
            var (files, total) = (0L, 0L);
            foreach (var content in session.Maintenance.Contents())
            {
                (files, total) = (files + 1, total + content.Length);
            }

            console.MarkupLineInterpolated($"Verifying [bold]{session.Maintenance.Root}[/]: {files} files, {ByteSize.Format(total)}");
            var tally = Terminal.IsInteractive(console)
                ? await WithProgressAsync(console, session.Maintenance, total, cancellationToken)
                : await VerifyAllAsync(console, session.Maintenance, null, cancellationToken);

            if (session.Maintenance.HasBucket)
            {
                tally = await VerifyBucketAsync(console, session.Maintenance, tally, cancellationToken);
            }

            console.WriteLine(
                $"Verified {tally.Checked} files ({ByteSize.Format(tally.Bytes)}): "
                + (tally.Corrupt == 0 ? "all intact" : $"{tally.Corrupt} corrupt, {tally.Removed} removed")
                + (tally.Unreadable > 0 ? $"; {tally.Unreadable} could not be read" : string.Empty)
                + (tally.Vanished > 0 ? $"; {tally.Vanished} removed by the server meanwhile" : string.Empty)
                + ".");
            return tally.Corrupt > 0 ? ExitCodes.Corrupt : tally.Unreadable > 0 ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>verify --policy</c>: each stored image's verdict, refusals first said; <see cref="ExitCodes.PolicyRefused"/> when any.</summary>
    private static async Task<int> PolicyAsync(IAnsiConsole console, StoreSession session, CancellationToken cancellationToken)
    {
        if (!session.Policy.IsOn)
        {
            await Console.Error.WriteLineAsync($"mirror: configuration: {ConfigurationKeys.Policy}: no rules, so nothing to verify against");
            return ExitCodes.Failed;
        }

        await session.Maintenance.LoadAsync(cancellationToken);
        var images = await session.Policy.AuditAsync(session.Maintenance.Inventory(), cancellationToken);
        foreach (var image in images)
        {
            var tags = image.Tags.Count > 0 ? $" ({string.Join(", ", image.Tags)})" : string.Empty;
            if (image.Verdict.Allowed)
            {
                console.MarkupLineInterpolated($"[green]allowed[/] {image.Repository}@{image.Digest}{tags}");
            }
            else
            {
                console.MarkupLineInterpolated($"[red]refused[/] {image.Repository}@{image.Digest}{tags}: {image.Verdict.Label}: {image.Verdict.Reason}");
            }
        }

        var refused = images.Count(i => !i.Verdict.Allowed);
        console.WriteLine($"Checked {images.Count} images against {ConfigurationKeys.Policy}: {images.Count - refused} allowed, {refused} refused.");
        return refused > 0 ? ExitCodes.PolicyRefused : ExitCodes.Success;
    }

    private static Task<Tally> WithProgressAsync(IAnsiConsole console, StoreMaintenance maintenance, long total, CancellationToken cancellationToken) =>
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("hashing", maxValue: Math.Max(total, 1));
                return await VerifyAllAsync(console, maintenance, new Progress<long>(read => task.Increment(read)), cancellationToken);
            });

    private static async Task<Tally> VerifyAllAsync(IAnsiConsole console, StoreMaintenance maintenance, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        var tally = new Tally();
        foreach (var content in maintenance.Contents())
        {
            var result = await maintenance.VerifyAsync(content, hashed, cancellationToken);
            tally.Add(result);
            var kind = content.Kind.ToString().ToLowerInvariant();
            switch (result.Outcome)
            {
                case VerifyOutcome.Removed:
                    console.MarkupLineInterpolated($"[red]removed[/] {kind} {content.Digest}: its {content.Length} bytes hash to {result.Actual}");
                    break;
                case VerifyOutcome.NotRemoved:
                    console.MarkupLineInterpolated($"[red]corrupt[/] {kind} {content.Digest}: its bytes hash to {result.Actual}; could not remove it: {result.Problem}");
                    break;
                case VerifyOutcome.Unreadable:
                    console.MarkupLineInterpolated($"[yellow]unreadable[/] {kind} {content.Digest}: {result.Problem}");
                    break;
            }
        }

        return tally;
    }

    /// <summary>With <c>storage.s3</c>, every object of the bucket too, counted into <paramref name="tally"/>.</summary>
    private static async Task<Tally> VerifyBucketAsync(IAnsiConsole console, StoreMaintenance maintenance, Tally tally, CancellationToken cancellationToken)
    {
        var objects = new List<StoredContent>();
        await foreach (var content in maintenance.BucketContentsAsync(cancellationToken))
        {
            objects.Add(content);
        }

        console.MarkupLineInterpolated($"Verifying the bucket: {objects.Count} objects, {ByteSize.Format(objects.Sum(o => o.Length))}");
        foreach (var content in objects)
        {
            var result = await maintenance.VerifyObjectAsync(content, null, cancellationToken);
            tally.Add(result);
            var kind = content.Kind.ToString().ToLowerInvariant();
            switch (result.Outcome)
            {
                case VerifyOutcome.Removed:
                    console.MarkupLineInterpolated($"[red]removed[/] {kind} {content.Digest} from the bucket: its {content.Length} bytes hash to {result.Actual}");
                    break;
                case VerifyOutcome.NotRemoved:
                    console.MarkupLineInterpolated($"[red]corrupt[/] {kind} {content.Digest} in the bucket: its bytes hash to {result.Actual}; could not remove it: {result.Problem}");
                    break;
                case VerifyOutcome.Unreadable:
                    console.MarkupLineInterpolated($"[yellow]unreadable[/] {kind} {content.Digest} in the bucket: {result.Problem}");
                    break;
            }
        }

        return tally;
    }

    /// <summary>What a verify found, counted as it goes.</summary>
    private sealed class Tally
    {
        public long Checked { get; private set; }

        public long Bytes { get; private set; }

        public long Corrupt { get; private set; }

        public long Removed { get; private set; }

        public long Unreadable { get; private set; }

        public long Vanished { get; private set; }

        public void Add(VerifiedFile file)
        {
            switch (file.Outcome)
            {
                case VerifyOutcome.Vanished:
                    Vanished++;
                    return;
                case VerifyOutcome.Unreadable:
                    Unreadable++;
                    return;
            }

            Checked++;
            Bytes += file.Content.Length;
            Corrupt += file.IsCorrupt ? 1 : 0;
            Removed += file.Outcome == VerifyOutcome.Removed ? 1 : 0;
        }
    }
}
