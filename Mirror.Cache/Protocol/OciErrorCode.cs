namespace Mirror.Cache.Protocol;

/// <summary>Error codes from distribution-spec "error codes", plus distribution's UNAVAILABLE and PAGINATION_NUMBER_INVALID.</summary>
public static class OciErrorCode
{
    public const string BlobUnknown = "BLOB_UNKNOWN";
    public const string BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN";
    public const string DigestInvalid = "DIGEST_INVALID";
    public const string ManifestInvalid = "MANIFEST_INVALID";
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    public const string NameInvalid = "NAME_INVALID";
    public const string NameUnknown = "NAME_UNKNOWN";
    public const string SizeInvalid = "SIZE_INVALID";
    public const string TagInvalid = "TAG_INVALID";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Denied = "DENIED";
    public const string Unsupported = "UNSUPPORTED";
    public const string TooManyRequests = "TOOMANYREQUESTS";
    public const string Unavailable = "UNAVAILABLE";
    public const string PaginationNumberInvalid = "PAGINATION_NUMBER_INVALID";
}
