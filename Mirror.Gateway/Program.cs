using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Hosting;

var commandLine = CommandLine.Parse(args);
if (commandLine.Serve is not { } serve)
{
    // prefetch, ls, verify and gc (Mirror.Gateway/Cli), help, or the command line's errors.
    return await commandLine.RunAsync();
}

WebApplication app;
try
{
    // No reload-on-change watcher on the content root (the binary's directory, which it watches with every directory under
    // it): nothing is reloaded through configuration (config.yml and REGISTRY_* are read at start, appsettings.json holds
    // logging defaults), and in a crowded directory the watch delayed the first answer (#22: 240 ms from /tmp). First, so
    // that a switch of the operator's may still turn it on.
    string[] switches = ["--hostBuilder:reloadConfigOnChange=false", .. serve.Switches];
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = switches, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddDistributionConfiguration(serve.ConfigurationFile);
    if (DistributionConfiguration.RefusedSettings(builder.Configuration) is [_, ..] refused)
    {
        return ConfigurationFailed(refused);
    }

    app = builder.AddMirror().Build();

    // Validated here, before the host starts, so that a bad value is reported as one line of ours rather
    // than as the host's start-up failure with a stack trace.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
}
catch (OptionsValidationException ex)
{
    return ConfigurationFailed(ex.Failures);
}
catch (AggregateException ex) when (ex.Flatten().InnerExceptions.All(e => e is OptionsValidationException))
{
    // Bad values in more than one options type: the validator throws them together, each named once here.
    return ConfigurationFailed(ex.Flatten().InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures));
}
catch (Exception ex) when (ex is FileNotFoundException or FormatException or InvalidDataException)
{
    // A YAML error arrives wrapped ("Failed to load configuration from file"); its own message says where.
    return ConfigurationFailed([ex is InvalidDataException { InnerException: { } inner } ? inner.Message : ex.Message]);
}

await app.UseMirror().RunAsync();
return 0;

static int ConfigurationFailed(IEnumerable<string> failures)
{
    foreach (var failure in failures)
    {
        Console.Error.WriteLine($"mirror: configuration: {failure}");
    }

    return 1;
}

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
internal sealed partial class Program;
