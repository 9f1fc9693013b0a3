namespace Mirror.Gateway.Authentication;

/// <summary>
/// An Apache htpasswd file as distribution reads it: one <c>user:hash</c> per line, blank lines and lines
/// starting with <c>#</c> skipped, the later line winning for a user named twice. Only bcrypt hashes
/// (<c>$2y$</c>, <c>$2a$</c>, <c>$2b$</c>, as <c>htpasswd -B</c> writes them) are accepted: a line with any
/// other hash is an error naming the line, never a user who silently cannot log in.
/// </summary>
internal sealed class HtpasswdFile
{
    private static readonly string[] BcryptPrefixes = ["$2y$", "$2a$", "$2b$"];

    private HtpasswdFile(IReadOnlyDictionary<string, string> users) => Users = users;

    /// <summary>Each user's bcrypt hash.</summary>
    public IReadOnlyDictionary<string, string> Users { get; }

    /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says which line is wrong when it returns <c>null</c>.</summary>
    public static HtpasswdFile? TryParse(string text, out string? error)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"line {number} is not user:hash";
                return null;
            }

            var hash = line[(colon + 1)..];
            if (!BcryptPrefixes.Any(p => hash.StartsWith(p, StringComparison.Ordinal)) || hash.Length != 60)
            {
                error = $"line {number} (user {line[..colon]}) is not a bcrypt hash; only bcrypt ($2y$, $2a$, $2b$, as htpasswd -B writes) is supported";
                return null;
            }

            users[line[..colon]] = hash;
        }

        error = null;
        return new HtpasswdFile(users);
    }
}
