using System.Globalization;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Configuration;

/// <summary>
/// Reads single keys of the configuration in the forms distribution writes them (durations as Go writes
/// them, sizes with units, lists as YAML sequences); a value it cannot use throws an
/// <see cref="OptionsValidationException"/> whose one line names the key, its value and what is wrong.
/// </summary>
internal sealed class ConfigurationReader(IConfiguration configuration, string? section = null)
{
    /// <summary>A reader of the keys under <paramref name="child"/>, whose errors name them as <paramref name="name"/>.<c>key</c>.</summary>
    public ConfigurationReader Under(IConfigurationSection child, string name) => new(child, section is null ? name : $"{section}.{name}");

    /// <summary>The sections under <paramref name="key"/>, in the file's order.</summary>
    public IEnumerable<IConfigurationSection> Children(string key) => configuration.GetSection(ConfigurationKeys.Path(key)).GetChildren();

    /// <summary>The key's full dotted name, as errors name it.</summary>
    public string Name(string key) => section is null ? key : $"{section}.{key}";

    /// <summary>The key's value; <c>null</c> when it is absent or empty.</summary>
    public string? Value(string key) => configuration[ConfigurationKeys.Path(key)] is { Length: > 0 } value ? value : null;

    /// <summary>Whether the key is there at all: with a value, empty, or as a section with keys under it.</summary>
    public bool Has(string key)
    {
        var section = configuration.GetSection(ConfigurationKeys.Path(key));
        return section.Value is not null || section.GetChildren().Any() || (configuration as IConfigurationRoot)?.Providers.Any(p => p.TryGet(section.Path, out _)) == true;
    }

    /// <summary>A list written as a YAML sequence (<c>key.0</c>, <c>key.1</c>, ...) or as one value.</summary>
    public IReadOnlyList<string> List(string key)
    {
        if (Value(key) is { } single)
        {
            return [single];
        }

        return configuration.GetSection(ConfigurationKeys.Path(key)).GetChildren()
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(c => c.Value)
            .OfType<string>()
            .Where(v => v.Length > 0)
            .ToList();
    }

    /// <summary>A map of names to lists (<c>http.headers</c>), the names as the file spells them.</summary>
    public IReadOnlyDictionary<string, string[]> Map(string key) =>
        configuration.GetSection(ConfigurationKeys.Path(key)).GetChildren()
            .ToDictionary(c => c.Key, c => List(ConfigurationKeys.Dotted(c.Path)).ToArray(), StringComparer.OrdinalIgnoreCase);

    public bool? Bool<T>(string key) => Value(key) switch
    {
        null => null,
        { } text when bool.TryParse(text, out var value) => value,
        { } text => throw Invalid<T>(Name(key), text, "is not true or false"),
    };

    public TimeSpan? Duration<T>(string key, bool allowZero = true)
    {
        if (Value(key) is not { } text)
        {
            return null;
        }

        return GoDuration.TryParse(text) is { } value && (allowZero || value > TimeSpan.Zero)
            ? value
            : throw Invalid<T>(Name(key), text, allowZero ? "is not a duration such as 30s, 10m or 168h" : "is not a positive duration such as 30s or 10m");
    }

    public long? Size<T>(string key) =>
        Value(key) is { } text
            ? ByteSize.TryParse(text) ?? throw Invalid<T>(Name(key), text, "is not a size such as 50GB, 512MiB or 1073741824")
            : null;

    public int? PositiveInt<T>(string key) =>
        Value(key) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw Invalid<T>(Name(key), text, "is not a positive whole number")
            : null;

    /// <summary>An existing file's full path.</summary>
    public string? File<T>(string key) =>
        Value(key) is { } path
            ? System.IO.File.Exists(path) ? System.IO.Path.GetFullPath(path) : throw Invalid<T>(Name(key), path, "is not a file the mirror can read")
            : null;

    /// <summary>Fails the start with one line naming <paramref name="key"/>, its value and what is wrong with it.</summary>
    public static OptionsValidationException Invalid<T>(string key, string value, string problem) =>
        new(Options.DefaultName, typeof(T), [$"{key}: '{value}' {problem}"]);

    /// <summary>Fails the start with one line naming <paramref name="key"/> and what is wrong.</summary>
    public static OptionsValidationException Invalid<T>(string key, string problem) =>
        new(Options.DefaultName, typeof(T), [$"{key}: {problem}"]);
}
