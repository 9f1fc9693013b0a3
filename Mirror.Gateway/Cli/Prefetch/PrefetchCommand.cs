using System.CommandLine;
using System.Diagnostics;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// <c>prefetch [--mirror URL] [--platform os/arch] IMAGE...</c>: warms the cache of a running mirror by pulling
/// each image through it (<see cref="ImagePrefetcher"/>), with a progress bar per image on a terminal and
/// plain lines otherwise, then a summary of the bytes the mirror fetched and those it had already. Exits
/// with <see cref="ExitCodes.Failed"/> when an image could not be prefetched.
/// </summary>
internal static class PrefetchCommand
{
    public const string Name = "prefetch";

    /// <summary>Images prefetched at once.</summary>
    private const int ConcurrentImages = 2;

    public static Command Create()
    {
        var mirror = MirrorOption();
        var platform = PlatformOption();
        var username = new Option<string?>("--username", "-u") { Description = "Log in to the mirror as this user (default: docker's stored login for the mirror's host)." };
        var password = new Option<string?>("--password") { Description = "The user's password (seen by other users in the process list: prefer --password-stdin)." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input." };
        var images = ImagesArgument();
        var command = new Command(Name, "Warm the cache of a running mirror: pull images through it (manifests, every platform or --platform, and their blobs).")
        {
            mirror, platform, username, password, passwordStdin, images,
        };
        command.Validators.Add(result => CheckLogin(result, result.GetValue(username), result.GetValue(password), result.GetValue(passwordStdin)));
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var url = parsed.GetValue(mirror)!;
            var login = parsed.GetValue(username) is { } user
                ? new MirrorLogin(user, parsed.GetValue(passwordStdin) ? (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r') ?? string.Empty : parsed.GetValue(password)!)
                : MirrorLogin.FromDockerConfig(url);
            var references = parsed.GetValue(images)!.Distinct(StringComparer.Ordinal).Select(text => ImageReference.TryParse(text, out _)!).ToList();
            return await RunAsync(url, login, new PlatformFilter(parsed.GetValue(platform) ?? []), references, cancellationToken);
        });
        return command;
    }

    private static Option<Uri> MirrorOption() => new("--mirror", "-m")
    {
        Description = "The running mirror's URL.",
        DefaultValueFactory = _ => new Uri("http://localhost:5000"),
        CustomParser = result => Uri.TryCreate(result.Tokens[0].Value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : Refuse<Uri>(result, $"'{result.Tokens[0].Value}' is not an http:// or https:// URL"),
    };

    private static Option<string[]> PlatformOption()
    {
        var platform = new Option<string[]>("--platform", "-p")
        {
            Description = "Only this platform of a multi-platform image (os/arch or os/arch/variant); may be given more than once. Default: every platform.",
            AllowMultipleArgumentsPerToken = false,
        };
        platform.Validators.Add(result =>
        {
            foreach (var value in (result.GetValueOrDefault<string[]>() ?? []).Where(value => !PlatformFilter.IsPlatform(value)))
            {
                result.AddError($"'{value}' is not a platform such as linux/amd64 or linux/arm64/v8");
            }
        });
        return platform;
    }

    private static Argument<string[]> ImagesArgument()
    {
        var images = new Argument<string[]>("IMAGE")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Images as docker names them: busybox, library/busybox:1.36, ghcr.io/owner/app:tag, name@sha256:...",
        };
        images.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ImageReference.TryParse(value, out var problem) is null)
                {
                    result.AddError($"'{value}' is not an image reference: {problem}");
                }
            }
        });
        return images;
    }

    /// <summary>A login is a user with one password, from the command line or standard input.</summary>
    private static void CheckLogin(System.CommandLine.Parsing.CommandResult result, string? username, string? password, bool passwordStdin)
    {
        if (password is not null && passwordStdin)
        {
            result.AddError("give --password or --password-stdin, not both");
        }
        else if ((password is not null || passwordStdin) && username is null)
        {
            result.AddError("a password needs --username");
        }
        else if (username is not null && password is null && !passwordStdin)
        {
            result.AddError("--username needs --password or --password-stdin");
        }
    }

    private static async Task<int> RunAsync(Uri url, MirrorLogin? login, PlatformFilter platforms, List<ImageReference> references, CancellationToken cancellationToken)
    {
        var authentication = new MirrorAuthentication(login)
        {
            InnerHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = System.Net.DecompressionMethods.None },
        };
        using var http = new HttpClient(authentication) { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        var client = new MirrorClient(http, authentication);
        var console = Terminal.Create();
        var started = Stopwatch.GetTimestamp();
        var results = Terminal.IsInteractive(console)
            ? await PrefetchOnTerminalAsync(console, client, platforms, references, cancellationToken)
            : await PrefetchAllAsync(new ImagePrefetcher(client, platforms, new PlainProgress(console)), references, cancellationToken);
        var succeeded = results.Count(r => r.Succeeded);
        console.WriteLine(
            $"Prefetched {succeeded} of {results.Length} images through {url}: {ByteSize.Format(results.Sum(r => r.FetchedBytes))} fetched, "
            + $"{ByteSize.Format(results.Sum(r => r.CachedBytes))} already cached ({results.Sum(r => r.Manifests)} manifests, {results.Sum(r => r.Blobs)} blobs) "
            + $"in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s.");
        return succeeded == results.Length ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>With a progress bar per image, and the failures after them.</summary>
    private static async Task<ImageResult[]> PrefetchOnTerminalAsync(IAnsiConsole console, MirrorClient client, PlatformFilter platforms, List<ImageReference> references, CancellationToken cancellationToken)
    {
        var results = await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async context =>
            {
                var progress = new TerminalProgress(context);
                foreach (var image in references)
                {
                    progress.Started(image);
                }

                return await PrefetchAllAsync(new ImagePrefetcher(client, platforms, progress), references, cancellationToken);
            });
        foreach (var failed in results.Where(r => !r.Succeeded))
        {
            console.MarkupLineInterpolated($"[red]{failed.Image.Text}[/]: {failed.Failure}");
        }

        return results;
    }

    private static async Task<ImageResult[]> PrefetchAllAsync(ImagePrefetcher prefetcher, List<ImageReference> references, CancellationToken cancellationToken)
    {
        var results = new ImageResult[references.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, references.Count), new ParallelOptions { MaxDegreeOfParallelism = ConcurrentImages, CancellationToken = cancellationToken }, async (i, ct) =>
            results[i] = await prefetcher.PrefetchAsync(references[i], ct));
        return results;
    }

    private static T Refuse<T>(System.CommandLine.Parsing.ArgumentResult result, string error)
    {
        result.AddError(error);
        return default!;
    }
}
