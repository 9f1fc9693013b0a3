namespace Mirror.Cache.Upstream;

/// <summary>One read of an upstream body: how many bytes arrived (0 at its end), or why none can (the body broke off, or went silent).</summary>
public readonly record struct BodyRead(int Count, string? Fault)
{
    public bool Failed => Fault is not null;

    public static BodyRead Of(int count) => new(count, null);

    public static BodyRead Broken(string fault) => new(0, fault);
}
