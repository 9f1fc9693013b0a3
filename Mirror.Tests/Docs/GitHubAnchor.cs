using System.Text.RegularExpressions;

namespace Mirror.Tests.Docs;

/// <summary>
/// A heading's anchor as GitHub makes it (github-slugger): the heading's text as rendered (a link's text,
/// not its target; code spans without their backticks), in lower case, with every character that is not a
/// letter, a digit, a space, <c>-</c> or <c>_</c> dropped and each space turned into <c>-</c>. A second
/// heading with the same anchor gets <c>-1</c>, a third <c>-2</c>.
/// </summary>
internal static partial class GitHubAnchor
{
    public static string From(string heading)
    {
        var text = Link().Replace(heading.Trim(), "${text}").ToLowerInvariant();
        var kept = text.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray();
        return new string(kept).Replace(' ', '-');
    }

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex Link();
}
