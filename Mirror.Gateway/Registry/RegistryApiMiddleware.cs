using Microsoft.AspNetCore.Http.Features;
using Mirror.Cache.Content;
using Mirror.Cache.Registry;
using Mirror.Gateway.Blobs;
using Mirror.Gateway.Manifests;
using Mirror.Gateway.Tags;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The registry API in front of YARP's forwarder: answers the version check, refuses writes, rejects
/// malformed names, tags and digests with the spec's error codes, and hands manifests, blobs and tag lists
/// to their endpoints. Whatever else is under <c>/v2/</c> goes on to YARP and the upstream.
/// </summary>
internal sealed class RegistryApiMiddleware(RequestDelegate next, ManifestEndpoint manifests, BlobEndpoint blobs, TagListEndpoint tagLists)
{
    /// <summary>No valid request has a longer path: a name is at most 255 characters and a digest 135.</summary>
    private const int MaxPathLength = 1024;

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[RegistryHeaders.ApiVersion] = RegistryHeaders.ApiVersionValue;
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return OciError.Unsupported(method).WriteAsync(context);
        }

        var rawPath = RawPath(context);
        if (rawPath.Length > MaxPathLength)
        {
            return OciError.NameInvalid($"the path is {rawPath.Length} characters long").WriteAsync(context);
        }

        // Kestrel decodes %xx and resolves dot segments before routing; a registry path needs neither, and
        // either could smuggle a separator or a climb past the name's grammar.
        if (rawPath.Contains('%', StringComparison.Ordinal) || HasDotSegment(rawPath))
        {
            return OciError.NameInvalid("percent-encoding and dot segments are not allowed in registry paths").WriteAsync(context);
        }

        var path = RegistryPath.Parse(context.Request.Path.Value!);
        return path.Endpoint switch
        {
            RegistryEndpoint.Ping => PingAsync(context),
            RegistryEndpoint.Other => next(context),
            _ => ServeAsync(context, path),
        };
    }

    private Task ServeAsync(HttpContext context, RegistryPath path)
    {
        if (RepositoryName.TryParse(path.Name) is not { } name)
        {
            return OciError.NameInvalid($"'{Printable(path.Name)}' is not a repository name").WriteAsync(context);
        }

        switch (path.Endpoint)
        {
            case RegistryEndpoint.Manifest:
                if (Reference.TryParse(path.Reference) is not { } reference)
                {
                    return (path.Reference.Contains(':', StringComparison.Ordinal)
                        ? OciError.DigestInvalid($"'{Printable(path.Reference)}' is not a sha256 or sha512 digest")
                        : new OciError(StatusCodes.Status400BadRequest, OciErrorCode.TagInvalid, "manifest tag did not match URI", $"'{Printable(path.Reference)}' is not a tag"))
                        .WriteAsync(context);
                }

                return manifests.ServeAsync(context, name, reference);
            case RegistryEndpoint.Blob:
                return Digest.TryParse(path.Reference) is { } digest
                    ? blobs.ServeAsync(context, name, digest)
                    : OciError.DigestInvalid($"'{Printable(path.Reference)}' is not a sha256 or sha512 digest").WriteAsync(context);
            case RegistryEndpoint.TagList:
                return tagLists.ServeAsync(context, name);
            default:
                return OciError.NotFound(OciErrorCode.BlobUploadUnknown).WriteAsync(context);
        }
    }

    private static Task PingAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 2;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("{}");
    }

    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static bool HasDotSegment(string path)
    {
        foreach (var segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Echoes client input in an error detail without control characters, and not at length.</summary>
    private static string Printable(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? '?' : c).Take(300).ToArray());
        return clean.Length < text.Length ? clean + "..." : clean;
    }
}
