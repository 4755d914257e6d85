using System.Text;
using Mono.Cecil;
using Pipelines.Docker.Rendering;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Templating.Parsing;
using Pipelines.Text;

namespace Pipelines.Architecture.Tests;

/// <summary>
/// The layout holds: namespaces follow folders, and no folder or project depends on one that depends back on it
/// (directly or around a longer loop), so each can be read, tested and changed from the bottom up.
/// </summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Every_project_of_src_is_read()
    {
        var codebase = Codebase.Current;

        Assert.Contains("Pipelines.Core", codebase.Projects);
        Assert.Contains("Pipelines.Execution", codebase.Projects);
        Assert.All(codebase.Projects, p => Assert.Contains(codebase.Types.Values, t => t.Project == p));
    }

    [Fact]
    public void Namespaces_follow_folders()
    {
        var wrong = Codebase.Current.Types.Values
            .Where(t => t.Namespace != Layering.ExpectedNamespace(t.Project, t.Folder, t.FullName))
            .Select(t => $"{t.File}: {t.FullName} is in namespace {t.Namespace}; its folder holds {Layering.ExpectedNamespace(t.Project, t.Folder, t.FullName)}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void No_folder_depends_on_a_folder_that_depends_back()
    {
        var uses = Codebase.Current.Uses;

        var cycles = Layering.Cycles(uses.Select(u => (u.From, u.To)));

        Assert.True(cycles.Count == 0, Describe(cycles, uses.Select(u => (u.From, u.To, $"{u.UserType} uses {u.UsedType}"))));
    }

    [Fact]
    public void No_project_depends_on_a_project_that_depends_back()
    {
        var types = Codebase.Current.Types;
        var uses = Codebase.Current.Uses
            .Select(u => (From: types[u.UserType].Project, To: types[u.UsedType].Project, Why: $"{u.UserType} uses {u.UsedType}"))
            .Where(u => u.From != u.To)
            .ToList();

        var cycles = Layering.Cycles(uses.Select(u => (u.From, u.To)));

        Assert.True(cycles.Count == 0, Describe(cycles, uses));
    }

    [Fact]
    public void A_loop_of_any_length_is_a_cycle()
    {
        var cycles = Layering.Cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("x", "y")]);

        Assert.Equal([["a", "b", "c"], ["d", "e"]], cycles.Select(c => c.ToArray()).ToArray());
    }

    [Theory]
    [InlineData("Pipelines.Core", "Templating/Parsing", "Pipelines.Templating.Parsing.TemplateScanner", "Pipelines.Templating.Parsing")]
    [InlineData("Pipelines.Core", "Model", "Pipelines.Dag", "Pipelines")]
    [InlineData("Pipelines.Core", "Dsl", "Pipelines.DagBuilder", "Pipelines")]
    [InlineData("Pipelines.Execution", "", "Pipelines.Execution.Executor", "Pipelines.Execution")]
    [InlineData("Pipelines.Execution", "State", "Pipelines.Execution.State.IRunStore", "Pipelines.Execution.State")]
    [InlineData("Pipelines.Docker", "", "Pipelines.DockerTaskBuilderExtensions", "Pipelines")]
    [InlineData("Pipelines.Docker", "Rendering", "Pipelines.Docker.Rendering.ContainerRenderer", "Pipelines.Docker.Rendering")]
    public void A_folder_holds_the_namespace_of_its_path(string project, string folder, string type, string expected) =>
        Assert.Equal(expected, Layering.ExpectedNamespace(project, folder, type));

    [Theory]
    [InlineData("/work/repo/src/Pipelines.Core/Templating/Parsing/TemplateScanner.cs", "Templating/Parsing")]
    [InlineData("/_/src/Pipelines.Core/Model/Dag.cs", "Model")]
    [InlineData("/work/repo/src/Pipelines.Core/Text/NameList.cs", "Text")]
    [InlineData("/work/repo/src/Pipelines.Core/obj/Debug/net10.0/Generated.cs", null)]
    [InlineData("System.Text.RegularExpressions.Generator/RegexGenerator.g.cs", null)]
    public void A_source_file_is_placed_in_its_project_folder(string file, string? folder) =>
        Assert.Equal(folder, Codebase.ProjectFolder("Pipelines.Core", file));

    [Fact]
    public void Uses_inside_method_bodies_count()
    {
        using var module = ModuleDefinition.ReadModule(typeof(BodyOnlyUse).Assembly.Location);
        var type = module.GetType(typeof(BodyOnlyUse).FullName, runtimeName: true);

        var used = Codebase.UsedTypes(type.Resolve()).Select(t => t.FullName).ToList();

        Assert.Contains(typeof(StringBuilder).FullName, used);
        Assert.Contains(typeof(Uri).FullName, used);
    }

    private static string Describe(IReadOnlyList<IReadOnlyList<string>> cycles, IEnumerable<(string From, string To, string Why)> uses)
    {
        var text = new StringBuilder();
        foreach (var cycle in cycles)
        {
            text.AppendLine($"These depend on each other: {string.Join(", ", cycle)}");
            foreach (var (from, to, why) in uses.Where(u => cycle.Contains(u.From) && cycle.Contains(u.To)).DistinctBy(u => (u.From, u.To)).OrderBy(u => u.From, StringComparer.Ordinal).ThenBy(u => u.To, StringComparer.Ordinal))
            {
                text.AppendLine($"  {from} -> {to}: {why}");
            }
        }

        return text.ToString();
    }

    // Names StringBuilder and Uri only inside its method body.
    private static class BodyOnlyUse
    {
        public static int Length(string text) => new StringBuilder(text).Append(new Uri("http://localhost/").Host).Length;
    }
}
