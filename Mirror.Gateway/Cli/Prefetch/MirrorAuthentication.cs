using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// Answers the mirror's challenges as docker does (distribution's token authentication): a request answered
/// 401 with <c>Basic</c> is sent again with the login, and from then on every request carries it; with
/// <c>Bearer realm=...,service=...,scope=...</c> a token for that scope is asked of the realm (with the
/// login as Basic credentials, or anonymously), kept per repository, and the request sent again with it.
/// A challenge that cannot be answered leaves the 401 for the caller to report.
/// </summary>
internal sealed class MirrorAuthentication(MirrorLogin? login) : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private volatile bool _basic;

    /// <summary>What the last refusal said, for the caller's error message.</summary>
    public string? LastProblem { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var repository = RepositoryOf(request.RequestUri!);
        Authorize(request, repository);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || AuthChallenge.Select(response.Headers.WwwAuthenticate) is not { } challenge)
        {
            return response;
        }

        if (challenge.IsBearer)
        {
            _tokens.TryRemove(repository, out _);
            if (await TokenAsync(challenge, repository, cancellationToken) is not { } token)
            {
                return response;
            }

            _tokens[repository] = token;
        }
        else if (login is null)
        {
            LastProblem = "the mirror asks for a login (Basic): give --username and --password, or 'docker login' to it";
            return response;
        }
        else
        {
            _basic = true;
        }

        response.Dispose();
        using var again = Copy(request);
        Authorize(again, repository);
        return await base.SendAsync(again, cancellationToken);
    }

    private void Authorize(HttpRequestMessage request, string repository)
    {
        if (_tokens.TryGetValue(repository, out var token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Bearer, token);
        }
        else if (_basic && login is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Basic, login.BasicParameter);
        }
    }

    /// <summary>A token from the challenge's realm for its scope (the login as Basic credentials, if any); <c>null</c> when refused.</summary>
    private async Task<string?> TokenAsync(AuthChallenge challenge, string repository, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (challenge.Service is { } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        if (challenge.Scope is { } scope)
        {
            query.Add("scope=" + Uri.EscapeDataString(scope));
        }

        var builder = new UriBuilder(challenge.Realm!) { Query = string.Join('&', query) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (login is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.Basic, login.BasicParameter);
        }

        using var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            LastProblem = $"the mirror's token realm {challenge.Realm} refused a token for {challenge.Scope ?? repository} ({(int)response.StatusCode})"
                + (login is null ? "; give --username and --password, or 'docker login' to the mirror" : string.Empty);
            return null;
        }

        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        foreach (var name in new[] { "token", "access_token" })
        {
            if (json.RootElement.TryGetProperty(name, out var token) && token.GetString() is { Length: > 0 } value)
            {
                return value;
            }
        }

        LastProblem = $"the mirror's token realm {challenge.Realm} answered without a token";
        return null;
    }

    /// <summary>The repository a request is for (its path before <c>/manifests/</c> or <c>/blobs/</c>, and its <c>ns</c>): tokens are kept per repository.</summary>
    private static string RepositoryOf(Uri uri)
    {
        var path = uri.AbsolutePath;
        foreach (var marker in new[] { "/manifests/", "/blobs/" })
        {
            if (path.LastIndexOf(marker, StringComparison.Ordinal) is var at and > 0)
            {
                return path[..at] + uri.Query;
            }
        }

        return path + uri.Query;
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var (name, values) in request.Headers)
        {
            if (!name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                copy.Headers.TryAddWithoutValidation(name, values);
            }
        }

        return copy;
    }
}
