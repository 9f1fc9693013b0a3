using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;

namespace Mirror.Gateway.Configuration;

/// <summary>Checks at start what parsing cannot: that the store can be written, and that the log level is one distribution knows.</summary>
internal sealed class MirrorOptionsValidator :
    IValidateOptions<StoreOptions>,
    IValidateOptions<LogOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var probe = Path.Combine(Path.GetFullPath(options.RootDirectory), $".probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(probe)!);
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{ConfigurationKeys.RootDirectory}: cannot write to '{options.RootDirectory}': {ex.Message}");
        }
    }

    public ValidateOptionsResult Validate(string? name, LogOptions options) =>
        DistributionConfiguration.IsLogLevel(options.Level)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{ConfigurationKeys.LogLevel}: '{options.Level}' is not one of {string.Join(", ", DistributionConfiguration.LogLevelNames)}");
}
