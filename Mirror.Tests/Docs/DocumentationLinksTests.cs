using Mirror.Tests.Support;

namespace Mirror.Tests.Docs;

/// <summary>
/// The documentation (README.md, docs/*.md, bench/README.md) against the tree, as GitHub shows it: every
/// relative link reaches a file, every anchor a heading, every code span naming a path of the repository
/// something that is there, and docs/architecture.md links every folder of both projects.
/// </summary>
[TestFixture]
internal sealed class DocumentationLinksTests
{
    private static string Root => GatewayProcess.RepositoryRoot;

    private static string[] Documents() =>
    [
        "README.md",
        Path.Combine("bench", "README.md"),
        .. Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Select(path => Path.GetRelativePath(Root, path)).Order(StringComparer.Ordinal),
    ];

    [Test]
    public void Links_InTheDocumentation_ReachAFileAndAHeading()
    {
        var check = new DocumentationCheck(Root);

        var broken = Documents().SelectMany(check.BrokenLinks).ToList();

        Assert.That(broken, Is.Empty, string.Join(Environment.NewLine, broken));
    }

    [Test]
    public void CodeSpans_NamingARepositoryPath_NameOneThatExists()
    {
        var check = new DocumentationCheck(Root);

        var missing = Documents().SelectMany(check.MissingPaths).ToList();

        Assert.That(missing, Is.Empty, string.Join(Environment.NewLine, missing));
    }

    [Test]
    public void Architecture_EveryFolderOfEveryProject_IsLinked()
    {
        var linked = new DocumentationCheck(Root).LinkedPaths(Path.Combine("docs", "architecture.md"));
        var folders = new[] { "Mirror.Cache", "Mirror.Gateway", "Mirror.Tests" }
            .SelectMany(project => Directory.EnumerateDirectories(Path.Combine(Root, project), "*", SearchOption.AllDirectories))
            .Where(folder => !Path.GetRelativePath(Root, folder).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToList();

        Assert.That(folders.Where(folder => !linked.Contains(folder)).Select(folder => Path.GetRelativePath(Root, folder)), Is.Empty,
            "folders \"How the code is laid out\" does not link");
    }

    /// <summary>The check really checks: a document with a broken link of each kind is reported for each.</summary>
    [Test]
    public void Check_BrokenLinksAnchorsAndPaths_AreEachReported()
    {
        using var directory = new TestDirectory();
        Directory.CreateDirectory(directory.Combine("docs"));
        Directory.CreateDirectory(directory.Combine("src"));
        File.WriteAllText(directory.Combine("docs", "other.md"), "# Other\n\n## Some section, with `code`\n");
        File.WriteAllText(directory.Combine("README.md"), string.Join('\n',
            "# Readme",
            "[fine](docs/other.md#some-section-with-code) [fine](#readme) [fine](src/) [fine](https://example.com/#x)",
            "[gone](docs/gone.md) [no such heading](docs/other.md#elsewhere)",
            "[no such heading here](#nowhere) [outside](../README.md) [folder with anchor](src#x)",
            "`src/there` is not there; `src/` is",
            "```",
            "[in a code block](docs/gone.md)",
            "```"));

        var check = new DocumentationCheck(directory.Path);
        var broken = check.BrokenLinks("README.md");
        var missing = check.MissingPaths("README.md");

        Assert.Multiple(() =>
        {
            Assert.That(broken.Select(problem => problem.Split(' ')[0] + ' ' + problem.Split(' ')[1]), Is.EqualTo(new[]
            {
                "README.md:3: (docs/gone.md)",
                "README.md:3: (docs/other.md#elsewhere)",
                "README.md:4: (#nowhere)",
                "README.md:4: (../README.md)",
                "README.md:4: (src#x)",
            }), string.Join(Environment.NewLine, broken));
            Assert.That(missing, Has.Count.EqualTo(1).And.Some.Contains("src/there"));
        });
    }

    [TestCase("Other registries through the same mirror", "other-registries-through-the-same-mirror")]
    [TestCase("Metrics, health and logs", "metrics-health-and-logs")]
    [TestCase("`mirror.upstreams` and `proxy`", "mirrorupstreams-and-proxy")]
    [TestCase("A blob GET: step by step", "a-blob-get-step-by-step")]
    [TestCase("See [the cluster](cluster.md) now", "see-the-cluster-now")]
    [TestCase("snake_case and kebab-case", "snake_case-and-kebab-case")]
    public void Anchor_OfAHeading_IsGitHubs(string heading, string anchor)
    {
        Assert.That(GitHubAnchor.From(heading), Is.EqualTo(anchor));
    }

    [Test]
    public void Parse_RepeatedHeadingsAndCode_AsGitHubRendersThem()
    {
        var document = MarkdownDocument.Parse(
        [
            "# Title", "## Run", "## Run", "```yaml", "# not a heading", "```", "`[not](a-link.md)` but [a link](that.md)",
            "  ~~~", "  [nor](this.md)", "  ~~~", "[wrapped", "text](wrapped.md)", "[def]: defined.md",
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(document.Anchors, Is.EquivalentTo(new[] { "title", "run", "run-1" }));
            Assert.That(document.Links, Is.EqualTo(new[]
            {
                new MarkdownReference(7, "that.md"), new MarkdownReference(11, "wrapped.md"), new MarkdownReference(13, "defined.md"),
            }));
            Assert.That(document.CodeSpans, Is.EqualTo(new[] { new MarkdownReference(7, "[not](a-link.md)") }));
        });
    }
}
