using System.Text.RegularExpressions;

namespace Mirror.Tests.Docs;

/// <summary>
/// Checks Markdown documents against the repository they are in, as GitHub shows them: a relative link's
/// target is a file or folder inside the repository, an anchor (<c>#x</c>, <c>file.md#x</c>) names a heading
/// of its target, and a code span that starts with a path under one of the repository's top-level folders
/// (<c>Mirror.Gateway/appsettings.json</c>, <c>bench/run.sh accel</c>) names something that is there. The
/// problems come back one line each, with the document and line.
/// </summary>
internal sealed partial class DocumentationCheck
{
    private readonly string _root;
    private readonly Dictionary<string, MarkdownDocument> _documents = new(StringComparer.Ordinal);

    public DocumentationCheck(string root) => _root = Path.GetFullPath(root);

    public IReadOnlyList<string> BrokenLinks(string document)
    {
        var from = Path.Combine(_root, document);
        return Read(from).Links
            .Select(link => (link, problem: Problem(from, link.Text)))
            .Where(l => l.problem is not null)
            .Select(l => $"{document}:{l.link.Line}: ({l.link.Text}) {l.problem}")
            .ToList();
    }

    public IReadOnlyList<string> MissingPaths(string document)
    {
        var folders = Directory.EnumerateDirectories(_root).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var span in Read(Path.Combine(_root, document)).CodeSpans)
        {
            var path = span.Text.Split(' ')[0];
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && folders.Contains(path[..slash]) && !Exists(Path.Combine(_root, path)) && !File.Exists(Path.Combine(_root, path + ".cs")))
            {
                problems.Add($"{document}:{span.Line}: `{span.Text}` names {path}, which does not exist");
            }
        }

        return problems;
    }

    /// <summary>The files and folders the document's relative links resolve to, as full paths without a trailing separator.</summary>
    public IReadOnlySet<string> LinkedPaths(string document)
    {
        var from = Path.Combine(_root, document);
        return Read(from).Links
            .Where(link => !External().IsMatch(link.Text))
            .Select(link => Resolve(from, FilePart(link.Text)).TrimEnd(Path.DirectorySeparatorChar))
            .ToHashSet(StringComparer.Ordinal);
    }

    private string? Problem(string from, string target)
    {
        if (External().IsMatch(target))
        {
            return null;
        }

        var resolved = Resolve(from, FilePart(target));
        if (!resolved.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return "points outside the repository";
        }

        if (!Exists(resolved))
        {
            return $"{Path.GetRelativePath(_root, resolved)} does not exist";
        }

        var hash = target.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return null;
        }

        var anchor = Uri.UnescapeDataString(target[(hash + 1)..]);
        if (!File.Exists(resolved) || !resolved.EndsWith(".md", StringComparison.Ordinal))
        {
            return $"#{anchor} points into {Path.GetRelativePath(_root, resolved)}, which is not a Markdown file";
        }

        return Read(resolved).Anchors.Contains(anchor) ? null : $"{Path.GetRelativePath(_root, resolved)} has no heading whose anchor is #{anchor}";
    }

    private static string FilePart(string target)
    {
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        return Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
    }

    // GitHub resolves a link from the document's folder, and one starting with / from the repository's root.
    private string Resolve(string from, string file) => file.Length == 0
        ? from
        : Path.GetFullPath(file.StartsWith('/') ? Path.Combine(_root, file.TrimStart('/')) : Path.Combine(Path.GetDirectoryName(from)!, file));

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private MarkdownDocument Read(string path)
    {
        if (!_documents.TryGetValue(path, out var document))
        {
            document = MarkdownDocument.Read(path);
            _documents[path] = document;
        }

        return document;
    }

    /// <summary>A URI with a scheme (<c>https:</c>, <c>mailto:</c>): not the repository's to check.</summary>
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex External();
}
