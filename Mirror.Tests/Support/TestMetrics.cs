using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Mirror.Cache.Diagnostics;

namespace Mirror.Tests.Support;

/// <summary>The mirror's instruments on a meter factory of their own, for tests that build parts by hand.</summary>
internal static class TestMetrics
{
    public static MirrorMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
