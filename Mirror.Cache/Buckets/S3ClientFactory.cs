using Amazon.Runtime;
using Amazon.S3;

namespace Mirror.Cache.Buckets;

/// <summary>
/// The S3 client of <see cref="BucketOptions"/>: the endpoint and addressing distribution's keys give, explicit keys
/// or else the SDK's credential chain (environment, profile, instance role), SigV4, and bounded retries.
/// </summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(BucketOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            UseHttp = !options.Secure,
            Timeout = options.RequestTimeout,
            MaxErrorRetry = 4,
            RetryMode = RequestRetryMode.Standard,

            // Checksums only where S3 requires them: S3-compatible servers (radosgw 16) refuse the SDK's new trailers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.RegionEndpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.AccessKey is { } access
            ? new AmazonS3Client(new BasicAWSCredentials(access, options.SecretKey), config)
            : new AmazonS3Client(config);
    }
}
