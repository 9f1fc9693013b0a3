using System.CommandLine;
using Amazon.Runtime;
using Mirror.Gateway.Cli;
using Mirror.Gateway.Cli.Prefetch;
using StackExchange.Redis;

namespace Mirror.Gateway.Hosting;

/// <summary>
/// The command line (System.CommandLine): <c>Mirror.Gateway [serve] [config.yml] [--Key=value ...]</c> serves,
/// as distribution's <c>registry serve</c>, with .NET's own configuration switches (how WebApplicationFactory
/// passes its settings); <c>prefetch</c>, <c>ls</c>, <c>verify</c>, <c>gc</c> and <c>health</c> are the operator's commands.
/// </summary>
internal sealed class CommandLine
{
    private const string ServeName = "serve";
    private const string ConfigArgument = "config.yml";

    private readonly ParseResult _parsed;

    private CommandLine(ParseResult parsed, ServeArguments? serve)
    {
        _parsed = parsed;
        Serve = serve;
    }

    /// <summary>What to serve with, when the command line asks to serve; <c>null</c> for the other commands, help and errors.</summary>
    public ServeArguments? Serve { get; }

    public static CommandLine Parse(string[] args)
    {
        // Serving is the default command: without a command name (or root's own --help, --version) it is
        // "serve". Its .NET configuration switches (--Key=value) are no options of ours and are set aside.
        var root = Build();
        var serving = args.Length == 0 || args[0] == ServeName
            || !(root.Subcommands.Any(c => c.Name == args[0]) || root.Options.Any(o => o.Name == args[0] || o.Aliases.Contains(args[0])));
        var switches = serving ? args.Where(IsSwitch).ToArray() : [];
        var rest = args.Where(a => !serving || !IsSwitch(a)).ToList();
        if (serving && rest is [ServeName, ..])
        {
            rest.RemoveAt(0);
        }

        // No response files (@file): an argument is what it says, as it was before System.CommandLine.
        var parsed = root.Parse(serving ? [ServeName, .. rest] : rest, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var serve = serving && parsed.Errors.Count == 0 && parsed.CommandResult.Command.Name == ServeName && parsed.Action == parsed.CommandResult.Command.Action;
        return new CommandLine(parsed, serve ? new ServeArguments(switches, parsed.GetValue<string?>(ConfigArgument)) : null);
    }

    /// <summary>Runs a command other than serving, or prints help or the command line's errors; the exit code.</summary>
    public async Task<int> RunAsync()
    {
        if (_parsed.Errors.Count > 0)
        {
            foreach (var error in _parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"mirror: {error.Message}");
            }

            var command = _parsed.CommandResult.Command;
            await Console.Error.WriteLineAsync($"Run 'Mirror.Gateway {(command is RootCommand ? string.Empty : command.Name + " ")}--help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await _parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: System.CommandLine cancels the command's token.
            await Console.Error.WriteLineAsync("mirror: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The store cannot be read or written (permissions, a full or failing disk).
            await Console.Error.WriteLineAsync($"mirror: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or AmazonServiceException or AmazonClientException or RedisException)
        {
            // Redis, the bucket or another server the command needs could not be reached or refused: one line, as a bad
            // key gets, not a stack trace.
            var what = ex switch
            {
                RedisException => "Redis: ",
                AmazonServiceException or AmazonClientException => "S3: ",
                _ => "a request failed: ",
            };
            await Console.Error.WriteLineAsync($"mirror: {_parsed.CommandResult.Command.Name}: {what}{ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static RootCommand Build()
    {
        var root = new RootCommand("Mirror: a Docker registry pull-through cache. Without a command it serves: Mirror.Gateway [serve] [config.yml] [--Key=value ...].");
        var serve = new Command(ServeName, "Serve the registry API (the default command), with .NET's --Key=value configuration switches after it.")
        {
            ConfigFile("distribution's config.yml; without it the defaults and REGISTRY_* variables"),
        };

        // Never invoked: Program serves with the parsed arguments, outside System.CommandLine's invocation
        // (which would take over SIGTERM from the host's graceful shutdown).
        serve.SetAction(_ => ExitCodes.Success);
        root.Add(serve);
        root.Add(PrefetchCommand.Create());
        root.Add(ListCommand.Create(ConfigFile("the configuration the mirror serves with, for its store")));
        root.Add(VerifyCommand.Create(ConfigFile("the configuration the mirror serves with, for its store")));
        root.Add(CollectCommand.Create(ConfigFile("the configuration the mirror serves with, for its store and limits")));
        root.Add(HealthCommand.Create(ConfigFile("the configuration the mirror serves with, for its listen addresses")));
        return root;
    }

    /// <summary>The optional configuration file argument, refusing what looks like an option rather than a file.</summary>
    private static Argument<string?> ConfigFile(string description)
    {
        var argument = new Argument<string?>(ConfigArgument) { Arity = ArgumentArity.ZeroOrOne, Description = description };
        argument.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && value.StartsWith('-'))
            {
                result.AddError($"unknown option '{value}'");
            }
        });
        return argument;
    }

    /// <summary>A .NET configuration switch: <c>--Key=value</c>.</summary>
    private static bool IsSwitch(string argument) => argument.StartsWith("--", StringComparison.Ordinal) && argument.IndexOf('=', StringComparison.Ordinal) > 2;
}
