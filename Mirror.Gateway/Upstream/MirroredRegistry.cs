using Mirror.Cache.Protocol;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// One registry the mirror mirrors, with everything kept per upstream: its options, its name rules, its
/// authentication (credentials, challenge, token cache), its health, and its YARP cluster's HTTP client,
/// through which the mirror's own fetches and its token requests all go (YARP forwards nothing).
/// </summary>
internal sealed class MirroredRegistry : IDisposable
{
    private HttpMessageInvoker? _invoker;

    public MirroredRegistry(UpstreamOptions options, bool isDefault, GatewayMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        Options = options;
        IsDefault = isDefault;
        Names = new UpstreamNames(options);
        Health = new UpstreamHealth(time);
        Authenticator = new UpstreamAuthenticator(this, time, metrics, loggers.CreateLogger<UpstreamAuthenticator>());
        Client = new UpstreamClient(this, time);
    }

    public UpstreamOptions Options { get; }

    /// <summary>The registry host clients name it by (<c>docker.io</c>, <c>ghcr.io</c>), the <c>upstream</c> label of its metrics.</summary>
    public string Host => Options.Host;

    /// <summary>Whether this is the <c>proxy</c> section's upstream, asked when a request names no registry.</summary>
    public bool IsDefault { get; }

    public UpstreamNames Names { get; }

    public UpstreamHealth Health { get; }

    public UpstreamAuthenticator Authenticator { get; }

    /// <summary>The cache's port to this registry.</summary>
    public UpstreamClient Client { get; }

    /// <summary>The HTTP client of this registry's YARP cluster, once YARP has built it (before the first request).</summary>
    public HttpMessageInvoker Invoker => _invoker ?? throw new InvalidOperationException($"the YARP cluster of {Host} is not built yet");

    /// <summary>What the store keeps this registry's repositories under: the host, or nothing for the default upstream.</summary>
    public RepositoryKey KeyOf(RepositoryName clientName) => new(IsDefault ? null : Host, Names.ToUpstream(clientName));

    /// <summary>
    /// Sends <paramref name="request"/> through this registry's pipeline and returns once its headers are in;
    /// without <paramref name="authenticate"/> the request goes with its own credentials or none (token
    /// realms, challenges, a client's credentials being checked).
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool authenticate, CancellationToken cancellationToken)
    {
        if (!authenticate)
        {
            request.Options.Set(UpstreamAuthHandler.Unauthenticated, true);
        }

        return Invoker.SendAsync(request, cancellationToken);
    }

    /// <summary>Takes the client YARP built for this registry's YARP cluster.</summary>
    internal void Attach(HttpMessageInvoker invoker) => _invoker = invoker;

    public void Dispose() => Authenticator.Dispose();
}
