using System.Text;

namespace Pipelines.Graph;

/// <summary>Writes a DAG's tasks and edges as a Mermaid flowchart or a Graphviz DOT digraph.</summary>
public static class GraphFormat
{
    /// <summary>The formats <see cref="Write"/> knows.</summary>
    public static readonly ImmutableArray<string> Formats = ["mermaid", "dot"];

    /// <summary>Writes <paramref name="dag"/> in <paramref name="format"/> (<c>mermaid</c> or <c>dot</c>).</summary>
    public static string Write(Dag dag, string format) => format switch
    {
        "mermaid" => Mermaid(dag),
        "dot" => Dot(dag),
        _ => throw new ArgumentException($"'{format}' is not a graph format; use one of: {string.Join(", ", Formats)}", nameof(format)),
    };

    /// <summary>A Mermaid flowchart, left to right; node ids are positional, labels are the task ids.</summary>
    public static string Mermaid(Dag dag)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var node = new Dictionary<string, string>(dag.Tasks.Length, StringComparer.Ordinal);
        var text = new StringBuilder();
        text.Append("---\ntitle: ").Append(dag.Id).Append("\n---\nflowchart LR\n");
        for (var i = 0; i < dag.Tasks.Length; i++)
        {
            var id = dag.Tasks[i].Id;
            node[id] = $"t{i}";
            text.Append("    t").Append(i).Append("[\"").Append(id).Append("\"]\n");
        }

        foreach (var task in dag.Tasks)
        {
            foreach (var up in task.Upstream)
            {
                text.Append("    ").Append(node[up]).Append(" --> ").Append(node[task.Id]).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>A Graphviz DOT digraph, left to right.</summary>
    public static string Dot(Dag dag)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var text = new StringBuilder();
        text.Append("digraph ").Append(Quote(dag.Id)).Append(" {\n    rankdir=LR;\n    node [shape=box];\n");
        foreach (var task in dag.Tasks)
        {
            text.Append("    ").Append(Quote(task.Id)).Append(";\n");
        }

        foreach (var task in dag.Tasks)
        {
            foreach (var up in task.Upstream)
            {
                text.Append("    ").Append(Quote(up)).Append(" -> ").Append(Quote(task.Id)).Append(";\n");
            }
        }

        return text.Append("}\n").ToString();
    }

    // Task ids are [A-Za-z0-9_.-], so quoting is enough; escape anyway for DAG ids from elsewhere.
    private static string Quote(string id) => "\"" + id.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
