using System.Text.RegularExpressions;

namespace Mirror.Tests.Docs;

/// <summary>
/// What the documentation checks need of a Markdown file, read as GitHub renders it: the anchors of its
/// headings, its link targets (inline links and link definitions) and its code spans, each with its line.
/// Fenced code blocks hold none of them (a <c># comment</c> in a YAML block is no heading), and a code span
/// holds no link.
/// </summary>
internal sealed partial class MarkdownDocument
{
    private MarkdownDocument(IReadOnlySet<string> anchors, IReadOnlyList<MarkdownReference> links, IReadOnlyList<MarkdownReference> codeSpans)
    {
        Anchors = anchors;
        Links = links;
        CodeSpans = codeSpans;
    }

    public IReadOnlySet<string> Anchors { get; }

    public IReadOnlyList<MarkdownReference> Links { get; }

    public IReadOnlyList<MarkdownReference> CodeSpans { get; }

    public static MarkdownDocument Read(string path) => Parse(File.ReadAllLines(path));

    public static MarkdownDocument Parse(IReadOnlyList<string> lines)
    {
        var prose = new string[lines.Count];
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        string? fence = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            prose[i] = string.Empty;
            if (fence is not null)
            {
                fence = IsClosing(line, fence) ? null : fence;
                continue;
            }

            var opening = Fence().Match(line);
            if (opening.Success)
            {
                fence = opening.Groups["fence"].Value;
                continue;
            }

            prose[i] = line;
            var heading = Heading().Match(line);
            if (heading.Success)
            {
                anchors.Add(Unique(GitHubAnchor.From(heading.Groups["text"].Value), used));
            }
        }

        var text = string.Join('\n', prose);
        var codeSpans = CodeSpan().Matches(text).Select(m => new MarkdownReference(LineOf(text, m.Index), m.Groups["code"].Value.Trim())).ToList();
        var withoutCode = CodeSpan().Replace(text, m => new string(m.Value.Select(c => c == '\n' ? '\n' : ' ').ToArray()));
        var links = InlineLink().Matches(withoutCode).Concat(LinkDefinition().Matches(withoutCode))
            .Select(m => new MarkdownReference(LineOf(withoutCode, m.Index), m.Groups["target"].Value))
            .OrderBy(l => l.Line)
            .ToList();
        return new MarkdownDocument(anchors, links, codeSpans);
    }

    private static bool IsClosing(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    private static string Unique(string anchor, Dictionary<string, int> used)
    {
        var count = used.GetValueOrDefault(anchor);
        used[anchor] = count + 1;
        return count == 0 ? anchor : $"{anchor}-{count}";
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex(@"^\s*(?<fence>`{3,}|~{3,})")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.*?)(?:\s+#+)?\s*$")]
    private static partial Regex Heading();

    // A code span does not run across a blank line (CommonMark: it is inside one paragraph).
    [GeneratedRegex(@"(?<!`)(?<ticks>`+)(?!`)(?<code>(?:(?!\n\s*\n).)+?)(?<!`)\k<ticks>(?!`)", RegexOptions.Singleline)]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?<target>[^()\s]*)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex LinkDefinition();
}
