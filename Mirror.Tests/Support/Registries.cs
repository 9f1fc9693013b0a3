using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Upstream;

namespace Mirror.Tests.Support;

/// <summary>The mirror's registries built by hand, docker.io and others, for tests of the rules that read names.</summary>
internal static class Registries
{
    public static MirroredRegistries Of(params UpstreamOptions[] others) =>
        new(
            Options.Create(new UpstreamsOptions { Others = others }),
            new GatewayMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
            TimeProvider.System,
            NullLoggerFactory.Instance);
}
