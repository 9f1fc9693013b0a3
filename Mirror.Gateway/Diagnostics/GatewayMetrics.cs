using System.Diagnostics.Metrics;
using Mirror.Cache.Diagnostics;

namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// The gateway's own instruments (client authentication), on the mirror's one meter: the meter factory
/// hands out the same <see cref="Meter"/> for the same name.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Counter<long> _credentialChecks;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MirrorMetrics.MeterName);
        _credentialChecks = meter.CreateCounter<long>("mirror_credential_checks", description: "Client credentials checked (a bcrypt run, or a question to the upstream), not those remembered");
    }

    public void CredentialChecked(string scheme, bool accepted) =>
        _credentialChecks.Add(1, new KeyValuePair<string, object?>("scheme", scheme), new KeyValuePair<string, object?>("result", accepted ? "accepted" : "refused"));
}
