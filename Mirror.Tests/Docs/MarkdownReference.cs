namespace Mirror.Tests.Docs;

/// <summary>A link target or a code span of a Markdown file, with the line it starts on (1-based).</summary>
internal sealed record MarkdownReference(int Line, string Text);
