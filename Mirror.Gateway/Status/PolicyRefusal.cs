namespace Mirror.Gateway.Status;

/// <summary>A manifest <c>mirror.policy</c> refused of late: when, through which registry, the result label and why.</summary>
internal sealed record PolicyRefusal(DateTimeOffset At, string Upstream, string Result, string Reason);
