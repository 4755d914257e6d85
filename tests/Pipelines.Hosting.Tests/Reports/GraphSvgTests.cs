using System.Xml.Linq;
using Pipelines.Hosting.Reports;
using Pipelines.Hosting.Tests.EndToEnd;

namespace Pipelines.Hosting.Tests.Reports;

/// <summary><see cref="GraphLayout"/> and <see cref="GraphSvg"/>: layers, dummies, no box crossed, escaping, and <c>graph --format svg</c>.</summary>
public sealed class GraphSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void A_diamond_has_four_nodes_in_three_layers()
    {
        var dag = new DagBuilder().Id("x");
        var a = dag.Container("a", "img");
        var b = dag.Container("b", "img");
        var c = dag.Container("c", "img");
        dag.Container("d", "img").DependsOn(b, c);
        a.Then(b, c);

        var layout = GraphLayout.Of(dag.Build());

        Assert.Equal(4, layout.Nodes.Count);
        Assert.Equal(3, layout.Layers);
        var layer = layout.Nodes.ToDictionary(n => n.TaskId, n => n.Layer);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 1, ["d"] = 2 }, layer);
        Assert.Equal(4, layout.Edges.Count);
        Assert.All(layout.Nodes, n => Assert.True(n.X + n.Width <= layout.Width && n.Y + n.Height <= layout.Height));
    }

    [Fact]
    public void A_long_edge_runs_through_dummies_around_the_boxes_it_spans()
    {
        var dag = new DagBuilder().Id("x");
        var a = dag.Container("a", "img");
        var d = dag.Container("d", "img");
        a.Then(dag.Container("b", "img")).Then(dag.Container("c", "img")).Then(d);
        d.DependsOn(a);

        var layout = GraphLayout.Of(dag.Build());

        var boxes = layout.Nodes.ToDictionary(n => n.TaskId);
        var longEdge = Assert.Single(layout.Edges, e => e.From == "a" && e.To == "d");
        Assert.Equal(8, longEdge.Points.Count); // two stubs at each end and two points through each of the two dummies
        Assert.Empty(Crossings(longEdge, boxes["b"]).Concat(Crossings(longEdge, boxes["c"])));
        var (b, middle) = (boxes["b"], boxes["b"].Y + (boxes["b"].Height / 2));
        Assert.True(SegmentEntersBox((b.X - 50, middle), (b.X + b.Width + 50, middle), b), "the check sees a segment through a box");
        Assert.False(SegmentEntersBox((b.X - 50, b.Y), (b.X + b.Width + 50, b.Y), b), "a segment along an edge of a box does not enter it");
        AssertNoOverlapAndNoCrossing(layout);
    }

    [Fact]
    public void No_box_overlaps_another_and_no_edge_crosses_a_box_in_a_random_dag()
    {
        var layout = GraphLayout.Of(RandomDag(50, seed: 7));

        Assert.Equal(50, layout.Nodes.Count);
        Assert.Contains(layout.Edges, e => e.Points.Count > 4); // some edges do span several layers
        AssertNoOverlapAndNoCrossing(layout);
    }

    [Fact]
    public void Text_is_escaped_and_the_svg_parses_as_xml()
    {
        const string odd = "a<&>\"b'";
        var layout = GraphLayout.Of([(odd, []), ("plain", [odd])]);

        var svg = GraphSvg.Render(layout, "dag & <co>", id => new GraphSvg.NodeStyle("#fff", Subtitle: "1 < 2 & \"3\"", Title: "<b>"));

        var doc = XDocument.Parse(svg);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.NotNull(doc.Root.Attribute("viewBox"));
        var nodes = doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "node").ToList();
        Assert.Equal([odd, "plain"], nodes.Select(g => (string)g.Attribute("data-task")!));
        Assert.Equal(odd + "\n<b>", nodes[0].Element(Svg + "title")!.Value);
        Assert.Contains(nodes[0].Elements(Svg + "text"), t => t.Value == "1 < 2 & \"3\"");
        Assert.Equal("dag & <co>", doc.Root.Element(Svg + "title")!.Value);
        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href", svg, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Long_ids_are_cut_with_an_ellipsis_and_nodes_are_neutral_without_a_style()
    {
        var id = "a_very_long_task_identifier_that_does_not_fit";
        var dag = new DagBuilder().Id("x");
        dag.Container(id, "img").Then(dag.Container("short", "img"));

        var doc = XDocument.Parse(GraphSvg.Render(dag.Build()));

        var node = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("data-task") == id);
        Assert.Equal(id, node.Element(Svg + "title")!.Value);
        var label = node.Element(Svg + "text")!.Value;
        Assert.EndsWith("…", label);
        Assert.Equal(GraphSvg.MaxLabel, label.Length);
        Assert.All(doc.Descendants(Svg + "rect"), r => Assert.Equal(GraphSvg.NeutralFill, (string?)r.Attribute("fill")));
        var edge = Assert.Single(doc.Descendants(Svg + "path"), p => (string?)p.Attribute("class") == "edge");
        Assert.Equal("url(#arrow)", (string?)edge.Attribute("marker-end"));
        Assert.Single(doc.Descendants(Svg + "marker"), m => (string?)m.Attribute("id") == "arrow");
    }

    [Fact]
    public async Task Graph_format_svg_prints_one_node_per_task()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, HostProcess.RepositoryRoot, "graph", "orders_daily", "--format", "svg");

        Assert.True(result.ExitCode == 0, result.ToString());
        var doc = XDocument.Parse(result.Stdout);
        var tasks = doc.Descendants().Select(e => (string?)e.Attribute("data-task")).OfType<string>().ToList();
        Assert.Equal(5, tasks.Count);
        Assert.Equal(5, tasks.Distinct().Count());
    }

    // A DAG where each task depends on up to three random earlier tasks, so that many edges span several layers.
    private static Dag RandomDag(int count, int seed)
    {
        var random = new Random(seed);
        var dag = new DagBuilder().Id("x");
        var tasks = new List<TaskBuilder>(count);
        for (var i = 0; i < count; i++)
        {
            var task = dag.Container($"task_{i}", "img");
            if (i > 0)
            {
                var upstream = Enumerable.Range(0, random.Next(1, 4)).Select(_ => tasks[random.Next(i)]).Distinct().ToArray();
                task.DependsOn(upstream);
            }

            tasks.Add(task);
        }

        return dag.Build();
    }

    private static void AssertNoOverlapAndNoCrossing(GraphLayout layout)
    {
        var nodes = layout.Nodes;
        for (var i = 0; i < nodes.Count; i++)
        {
            for (var j = i + 1; j < nodes.Count; j++)
            {
                var (p, q) = (nodes[i], nodes[j]);
                var overlap = p.X < q.X + q.Width && q.X < p.X + p.Width && p.Y < q.Y + q.Height && q.Y < p.Y + p.Height;
                Assert.False(overlap, $"{p} overlaps {q}");
            }
        }

        foreach (var edge in layout.Edges)
        {
            foreach (var box in nodes.Where(n => n.TaskId != edge.From && n.TaskId != edge.To))
            {
                Assert.Empty(Crossings(edge, box));
            }
        }
    }

    // The segments of the edge that enter the inside of the box (Liang–Barsky clipping against the open rectangle).
    private static IEnumerable<string> Crossings(GraphLayout.EdgePath edge, GraphLayout.NodeBox box)
    {
        for (var i = 0; i + 1 < edge.Points.Count; i++)
        {
            var (from, to) = (edge.Points[i], edge.Points[i + 1]);
            if (SegmentEntersBox(from, to, box))
            {
                yield return $"{edge.From}->{edge.To} segment {from}-{to} crosses {box}";
            }
        }
    }

    private static bool SegmentEntersBox((double X, double Y) from, (double X, double Y) to, GraphLayout.NodeBox box)
    {
        const double epsilon = 1e-9;
        var (dx, dy) = (to.X - from.X, to.Y - from.Y);
        var (enter, leave) = (0.0, 1.0);
        (double P, double Q)[] sides =
        [
            (-dx, from.X - (box.X + epsilon)),
            (dx, box.X + box.Width - epsilon - from.X),
            (-dy, from.Y - (box.Y + epsilon)),
            (dy, box.Y + box.Height - epsilon - from.Y),
        ];
        foreach (var (p, q) in sides)
        {
            if (p == 0)
            {
                if (q < 0)
                {
                    return false;
                }

                continue;
            }

            var t = q / p;
            if (p < 0)
            {
                enter = Math.Max(enter, t);
            }
            else
            {
                leave = Math.Min(leave, t);
            }
        }

        return enter < leave;
    }
}
