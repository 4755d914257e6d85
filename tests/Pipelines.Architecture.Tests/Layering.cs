using QuikGraph;
using QuikGraph.Algorithms;

namespace Pipelines.Architecture.Tests;

/// <summary>The rules of the layout: which namespace a folder holds, and what a dependency cycle is.</summary>
internal static class Layering
{
    /// <summary>
    /// The namespace of a type in <paramref name="folder"/> of <paramref name="project"/>: the project's root namespace
    /// (<c>Pipelines</c> for <c>Pipelines.Core</c>, else the project name) followed by the folder. Two exceptions make the
    /// public face one <c>using Pipelines;</c>: the DSL and the model (<c>Pipelines.Core/Dsl</c>, <c>Pipelines.Core/Model</c>),
    /// and each runtime's builder extensions (<c>*TaskBuilderExtensions</c>, such as <c>OnDocker</c>).
    /// </summary>
    public static string ExpectedNamespace(string project, string folder, string typeName)
    {
        if (project == "Pipelines.Core" && folder is "Dsl" or "Model" || typeName.EndsWith("TaskBuilderExtensions", StringComparison.Ordinal))
        {
            return "Pipelines";
        }

        var root = project == "Pipelines.Core" ? "Pipelines" : project;
        return folder.Length == 0 ? root : root + "." + folder.Replace('/', '.');
    }

    /// <summary>Every set of nodes that reach each other (a strongly connected component of more than one node), each sorted.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var graph = new AdjacencyGraph<string, Edge<string>>();
        foreach (var (from, to) in edges)
        {
            graph.AddVerticesAndEdge(new Edge<string>(from, to));
        }

        var components = new Dictionary<string, int>(StringComparer.Ordinal);
        graph.StronglyConnectedComponents(components);
        return [.. components
            .GroupBy(c => c.Value, c => c.Key)
            .Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<string>)[.. g.Order(StringComparer.Ordinal)])
            .OrderBy(c => c[0], StringComparer.Ordinal)];
    }
}
