namespace Mirror.Tests.Support;

internal static class Extensions
{
    /// <summary>Runs <paramref name="action"/> on <paramref name="value"/> and returns it, for set-up inside expressions.</summary>
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
