using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Configuration;

/// <summary>Reads <c>log.level</c>, and checks at start that it is a level distribution knows.</summary>
internal sealed class LogOptionsSetup(ConfigurationReader read) : IConfigureOptions<LogOptions>, IValidateOptions<LogOptions>
{
    public void Configure(LogOptions options) =>
        options.Level = read.Value(ConfigurationKeys.LogLevel) ?? options.Level;

    public ValidateOptionsResult Validate(string? name, LogOptions options) =>
        DistributionConfiguration.IsLogLevel(options.Level)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{ConfigurationKeys.LogLevel}: '{options.Level}' is not one of {string.Join(", ", DistributionConfiguration.LogLevelNames)}");
}
