using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Caching;

/// <summary>Checks at start what parsing cannot: that the store can be written.</summary>
internal sealed class StoreOptionsValidator(ConfigurationReader read) : IValidateOptions<StoreOptions>
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
            // With storage.s3, the directory is the node's local one.
            var key = read.Has(ConfigurationKeys.S3) ? ConfigurationKeys.LocalDirectory : ConfigurationKeys.RootDirectory;
            return ValidateOptionsResult.Fail($"{key}: cannot write to '{options.RootDirectory}': {ex.Message}");
        }
    }
}
