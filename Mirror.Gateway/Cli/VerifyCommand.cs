using System.CommandLine;
using Mirror.Cache.Maintenance;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli;

/// <summary>
/// <c>verify [config.yml]</c>: re-hashes every stored blob and manifest, removes each file whose bytes do not
/// match its name, and says which; exits with <see cref="ExitCodes.Corrupt"/> when it found any. Safe beside
/// a running server (<see cref="StoreMaintenance.VerifyAsync"/>), which fetches a removed file again when it
/// is next asked for.
/// </summary>
internal static class VerifyCommand
{
    public const string Name = "verify";

    public static Command Create(Argument<string?> config)
    {
        var command = new Command(Name, "Re-hash every stored blob and manifest; remove and report those whose bytes do not match their digest.") { config };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = StoreSession.Open(parsed.GetValue(config), writes: true);
            if (session is null)
            {
                return ExitCodes.Failed;
            }

            var console = Terminal.Create();
            var contents = session.Maintenance.Contents().ToList();
            var total = contents.Sum(c => c.Length);
            console.MarkupLineInterpolated($"Verifying [bold]{session.Maintenance.Root}[/]: {contents.Count} files, {ByteSize.Format(total)}");
            var results = Terminal.IsInteractive(console)
                ? await WithProgressAsync(console, session.Maintenance, contents, total, cancellationToken)
                : await VerifyAllAsync(console, session.Maintenance, contents, null, cancellationToken);

            var corrupt = results.Count(r => r.IsCorrupt);
            var unreadable = results.Count(r => r.Outcome is VerifyOutcome.Unreadable);
            var vanished = results.Count(r => r.Outcome is VerifyOutcome.Vanished);
            var notRemoved = results.Count(r => r.Outcome is VerifyOutcome.NotRemoved);
            console.WriteLine(
                $"Verified {results.Count - vanished - unreadable} files ({ByteSize.Format(results.Where(r => r.Outcome is not VerifyOutcome.Vanished).Sum(r => r.Content.Length))}): "
                + (corrupt == 0 ? "all intact" : $"{corrupt} corrupt, {corrupt - notRemoved} removed")
                + (unreadable > 0 ? $"; {unreadable} could not be read" : string.Empty)
                + (vanished > 0 ? $"; {vanished} removed by the server meanwhile" : string.Empty)
                + ".");
            return corrupt > 0 ? ExitCodes.Corrupt : unreadable > 0 ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    private static Task<List<VerifiedFile>> WithProgressAsync(IAnsiConsole console, StoreMaintenance maintenance, List<StoredContent> contents, long total, CancellationToken cancellationToken) =>
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("hashing", maxValue: Math.Max(total, 1));
                return await VerifyAllAsync(console, maintenance, contents, new Progress<long>(read => task.Increment(read)), cancellationToken);
            });

    private static async Task<List<VerifiedFile>> VerifyAllAsync(IAnsiConsole console, StoreMaintenance maintenance, List<StoredContent> contents, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        var results = new List<VerifiedFile>(contents.Count);
        foreach (var content in contents)
        {
            var result = await maintenance.VerifyAsync(content, hashed, cancellationToken);
            results.Add(result);
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

        return results;
    }
}
