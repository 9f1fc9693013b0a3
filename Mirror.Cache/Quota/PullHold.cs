namespace Mirror.Cache.Quota;

/// <summary>
/// Manifest <c>GET</c>s to an upstream held back until <paramref name="Until"/>, decided at
/// <paramref name="At"/> for <paramref name="Reason"/>. <paramref name="Refusals"/> counts the refusals in a
/// row (each one found after the last hold ran out doubles the next); <paramref name="Said"/> when the
/// upstream said the time itself (<c>Retry-After</c>), which a <c>HEAD</c> reporting pulls left does not
/// shorten. A hold <paramref name="Lifted"/> is over: the upstream has pulls again.
/// </summary>
public sealed record PullHold(DateTimeOffset Until, int Refusals, bool Said, string Reason, DateTimeOffset At, bool Lifted = false)
{
    /// <summary>Whether GETs are held back at <paramref name="now"/>.</summary>
    public bool HoldsAt(DateTimeOffset now) => !Lifted && Until > now;

    /// <summary>The hold as lifted at <paramref name="now"/>: refusals start again from none.</summary>
    public static PullHold LiftedAt(DateTimeOffset now, string reason) => new(now, 0, false, reason, now, Lifted: true);
}
