namespace Mirror.Gateway.Diagnostics;

/// <summary>One manifest pull: when, from which registry, what, how it was answered and how many bytes it sent.</summary>
internal sealed record PullRecord(DateTimeOffset At, string Upstream, string Repository, string Reference, string Result, long Bytes);
