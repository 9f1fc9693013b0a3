using Microsoft.Extensions.Options;
using Mirror.Cache.Buckets;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Caching;

/// <summary>
/// Reads <c>storage.s3</c> with distribution's keys, and <c>storage.redirect.disable</c>. Exactly one of
/// <c>storage.filesystem</c> and <c>storage.s3</c>; what the mirror cannot honour (SigV2, unverified TLS, a
/// half-given key pair) stops the start with one line naming the key, as a key it does not know does.
/// </summary>
internal sealed class BucketOptionsSetup(ConfigurationReader read) : IConfigureOptions<BucketOptions>
{
    /// <summary>S3's smallest part but the last: 5 MiB.</summary>
    private const long SmallestPart = 5L * 1024 * 1024;

    public void Configure(BucketOptions options)
    {
        options.Redirect = !(read.Bool<BucketOptions>(ConfigurationKeys.RedirectDisable) ?? false);
        if (!read.Has(ConfigurationKeys.S3))
        {
            return;
        }

        if (read.Has(ConfigurationKeys.Filesystem))
        {
            throw ConfigurationReader.Invalid<BucketOptions>("storage", "give exactly one of storage.filesystem and storage.s3 (with storage.s3, mirror.localdirectory is the node's local directory)");
        }

        options.Bucket = read.Value(ConfigurationKeys.S3Bucket) ?? throw Missing(ConfigurationKeys.S3Bucket, "the bucket's name");
        options.Region = read.Value(ConfigurationKeys.S3Region) ?? throw Missing(ConfigurationKeys.S3Region, "the bucket's region, such as us-east-1");
        options.RegionEndpoint = Endpoint();
        options.ForcePathStyle = read.Bool<BucketOptions>(ConfigurationKeys.S3ForcePathStyle) ?? options.ForcePathStyle;
        options.Secure = read.Bool<BucketOptions>(ConfigurationKeys.S3Secure) ?? options.Secure;
        options.RootDirectory = read.Value(ConfigurationKeys.S3RootDirectory) ?? options.RootDirectory;
        options.StorageClass = read.Value(ConfigurationKeys.S3StorageClass) ?? options.StorageClass;
        (options.AccessKey, options.SecretKey) = Keys();
        options.ChunkSize = read.Size<BucketOptions>(ConfigurationKeys.S3ChunkSize) is { } chunk
            ? chunk >= SmallestPart ? chunk : throw ConfigurationReader.Invalid<BucketOptions>(ConfigurationKeys.S3ChunkSize, chunk.ToString(System.Globalization.CultureInfo.InvariantCulture), "is below S3's smallest part, 5MiB (5242880)")
            : options.ChunkSize;
        options.Encrypt = read.Bool<BucketOptions>(ConfigurationKeys.S3Encrypt) ?? options.Encrypt;
        options.KeyId = read.Value(ConfigurationKeys.S3KeyId);
        if (options.KeyId is not null && !options.Encrypt)
        {
            throw ConfigurationReader.Invalid<BucketOptions>(ConfigurationKeys.S3KeyId, "is used only with storage.s3.encrypt: true");
        }

        if (read.Bool<BucketOptions>(ConfigurationKeys.S3V4Auth) == false)
        {
            throw ConfigurationReader.Invalid<BucketOptions>(ConfigurationKeys.S3V4Auth, "false", "is not supported: the mirror signs with AWS Signature Version 4 only");
        }

        if (read.Bool<BucketOptions>(ConfigurationKeys.S3SkipVerify) == true)
        {
            throw ConfigurationReader.Invalid<BucketOptions>(ConfigurationKeys.S3SkipVerify, "true", "is not supported: add the endpoint's CA to the system's trust store instead");
        }
    }

    private Uri? Endpoint()
    {
        if (read.Value(ConfigurationKeys.S3RegionEndpoint) is not { } text)
        {
            return null;
        }

        // distribution takes a bare host too, and then speaks HTTPS unless storage.s3.secure is false.
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : $"{((read.Bool<BucketOptions>(ConfigurationKeys.S3Secure) ?? true) ? "https" : "http")}://{text}";
        return DistributionConfiguration.TryParseRemoteUrl(withScheme)
            ?? throw ConfigurationReader.Invalid<BucketOptions>(ConfigurationKeys.S3RegionEndpoint, text, "is not an http or https URL");
    }

    private (string? Access, string? Secret) Keys() => (read.Value(ConfigurationKeys.S3AccessKey), read.Value(ConfigurationKeys.S3SecretKey)) switch
    {
        (null, { }) => throw Missing(ConfigurationKeys.S3AccessKey, "given with storage.s3.secretkey (or leave both out for the AWS SDK's credential chain)"),
        ({ }, null) => throw Missing(ConfigurationKeys.S3SecretKey, "given with storage.s3.accesskey (or leave both out for the AWS SDK's credential chain)"),
        var keys => keys,
    };

    private static OptionsValidationException Missing(string key, string what) => ConfigurationReader.Invalid<BucketOptions>(key, $"missing: {what}");
}
