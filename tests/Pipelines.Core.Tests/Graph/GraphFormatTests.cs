using Pipelines.Graph;

namespace Pipelines.Core.Tests.Graph;

public sealed class GraphFormatTests
{
    private static Dag Diamond()
    {
        var dag = new DagBuilder().Id("diamond");
        var a = dag.Container("extract", "img");
        a.Then(dag.Container("left", "img"), dag.Container("right-2", "img")).Then(dag.Container("report", "img"));
        return dag.Build();
    }

    [Fact]
    public void Mermaid_has_a_node_per_task_and_an_arrow_per_edge()
    {
        Assert.Equal(
            """
            ---
            title: diamond
            ---
            flowchart LR
                t0["extract"]
                t1["left"]
                t2["right-2"]
                t3["report"]
                t0 --> t1
                t0 --> t2
                t1 --> t3
                t2 --> t3

            """.ReplaceLineEndings("\n"),
            GraphFormat.Write(Diamond(), "mermaid"));
    }

    [Fact]
    public void Dot_quotes_ids_and_has_an_edge_per_dependency()
    {
        var dot = GraphFormat.Write(Diamond(), "dot");

        Assert.StartsWith("digraph \"diamond\" {", dot);
        Assert.Contains("\"extract\" -> \"right-2\";", dot);
        Assert.Contains("\"right-2\" -> \"report\";", dot);
        Assert.Equal(4, dot.Split("->").Length - 1);
    }

    [Fact]
    public void An_unknown_format_names_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => GraphFormat.Write(Diamond(), "png"));

        Assert.Contains("use one of: mermaid, dot", ex.Message);
    }
}
