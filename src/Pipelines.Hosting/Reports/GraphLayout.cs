namespace Pipelines.Hosting.Reports;

/// <summary>
/// A layered (Sugiyama-style) drawing of a DAG, left to right: each task sits in the column of its longest path from a
/// root; an edge that spans several columns runs through a dummy slot in each column it crosses, so no edge passes
/// through a box; a few barycenter sweeps order each column to reduce crossings. Linear in the edges (times the sweeps)
/// apart from sorting each column.
/// </summary>
internal sealed class GraphLayout
{
    /// <summary>The width of a task box.</summary>
    public const double BoxWidth = 168;

    /// <summary>The height of a task box (two lines of text).</summary>
    public const double BoxHeight = 40;

    /// <summary>The horizontal space between two columns.</summary>
    public const double ColumnGap = 56;

    /// <summary>The vertical space between two slots of a column.</summary>
    public const double RowGap = 14;

    /// <summary>The space around the drawing.</summary>
    public const double Margin = 16;

    /// <summary>The horizontal stub an edge leaves a box with and enters a box with.</summary>
    public const double Stub = 10;

    private const int Sweeps = 4;

    private GraphLayout(IReadOnlyList<NodeBox> nodes, IReadOnlyList<EdgePath> edges, double width, double height, int layers)
    {
        Nodes = nodes;
        Edges = edges;
        Width = width;
        Height = height;
        Layers = layers;
    }

    /// <summary>The task boxes, in topological order.</summary>
    public IReadOnlyList<NodeBox> Nodes { get; }

    /// <summary>The edges, upstream to downstream, each a polyline from the source box's right to the target box's left.</summary>
    public IReadOnlyList<EdgePath> Edges { get; }

    /// <summary>The width of the whole drawing.</summary>
    public double Width { get; }

    /// <summary>The height of the whole drawing.</summary>
    public double Height { get; }

    /// <summary>How many columns (layers) the drawing has.</summary>
    public int Layers { get; }

    /// <summary>Lays out <paramref name="dag"/>.</summary>
    public static GraphLayout Of(Dag dag)
    {
        ArgumentNullException.ThrowIfNull(dag);
        return Of(dag.TopologicalOrder.Select(id => (id, (IReadOnlyList<string>)dag[id].Upstream)));
    }

    /// <summary>Lays out tasks given in topological order (every task after its upstream tasks) with their upstream ids.</summary>
    public static GraphLayout Of(IEnumerable<(string Id, IReadOnlyList<string> Upstream)> tasksInTopologicalOrder)
    {
        ArgumentNullException.ThrowIfNull(tasksInTopologicalOrder);
        var tasks = tasksInTopologicalOrder.ToList();
        var index = new Dictionary<string, int>(tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < tasks.Count; i++)
        {
            index.Add(tasks[i].Id, i);
        }

        // 1. Layer: the longest path from a root.
        var layer = new List<int>(tasks.Count);
        for (var i = 0; i < tasks.Count; i++)
        {
            var l = 0;
            foreach (var up in tasks[i].Upstream)
            {
                var u = index.TryGetValue(up, out var found) && found < i
                    ? found
                    : throw new ArgumentException($"Task '{tasks[i].Id}' depends on '{up}', which does not come before it.", nameof(tasksInTopologicalOrder));
                l = Math.Max(l, layer[u] + 1);
            }

            layer.Add(l);
        }

        // 2. Dummy nodes: every segment joins adjacent layers. Nodes past tasks.Count are dummies.
        var ups = new List<List<int>>(tasks.Count);
        var downs = new List<List<int>>(tasks.Count);
        for (var i = 0; i < tasks.Count; i++)
        {
            ups.Add([]);
            downs.Add([]);
        }

        var chains = new List<(int From, int To, int FirstDummy, int Dummies)>();
        for (var v = 0; v < tasks.Count; v++)
        {
            foreach (var up in tasks[v].Upstream)
            {
                var u = index[up];
                var first = layer.Count;
                var previous = u;
                for (var l = layer[u] + 1; l < layer[v]; l++)
                {
                    var d = layer.Count;
                    layer.Add(l);
                    ups.Add([previous]);
                    downs.Add([]);
                    downs[previous].Add(d);
                    previous = d;
                }

                ups[v].Add(previous);
                downs[previous].Add(v);
                chains.Add((u, v, first, layer.Count - first));
            }
        }

        var layers = tasks.Count == 0 ? 0 : layer.Max() + 1;
        var columns = new List<int>[layers];
        for (var l = 0; l < layers; l++)
        {
            columns[l] = [];
        }

        var pos = new int[layer.Count];
        for (var n = 0; n < layer.Count; n++)
        {
            pos[n] = columns[layer[n]].Count;
            columns[layer[n]].Add(n);
        }

        // 3. Crossing reduction: barycenter sweeps, down then up.
        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            for (var l = 1; l < layers; l++)
            {
                Reorder(columns[l], ups, pos);
            }

            for (var l = layers - 2; l >= 0; l--)
            {
                Reorder(columns[l], downs, pos);
            }
        }

        for (var l = 1; l < layers; l++)
        {
            Reorder(columns[l], ups, pos);
        }

        // 4. Coordinates: columns left to right, slots top to bottom, each column centred vertically.
        var tallest = columns.Length == 0 ? 0 : columns.Max(c => c.Count);
        const double row = BoxHeight + RowGap;
        var x = new double[layer.Count];
        var y = new double[layer.Count];
        for (var l = 0; l < layers; l++)
        {
            var offset = (tallest - columns[l].Count) * row / 2;
            foreach (var n in columns[l])
            {
                x[n] = Margin + (l * (BoxWidth + ColumnGap));
                y[n] = Margin + offset + (pos[n] * row);
            }
        }

        var nodes = new NodeBox[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            nodes[i] = new NodeBox(tasks[i].Id, x[i], y[i], BoxWidth, BoxHeight, layer[i]);
        }

        // 5. Edges: polylines through their dummies' slots, with horizontal stubs at both ends.
        var edges = new EdgePath[chains.Count];
        for (var e = 0; e < chains.Count; e++)
        {
            var (from, to, firstDummy, dummies) = chains[e];
            var points = new List<(double X, double Y)>(4 + (2 * dummies))
            {
                (x[from] + BoxWidth, y[from] + (BoxHeight / 2)),
                (x[from] + BoxWidth + Stub, y[from] + (BoxHeight / 2)),
            };
            for (var d = firstDummy; d < firstDummy + dummies; d++)
            {
                points.Add((x[d] - Stub, y[d] + (BoxHeight / 2)));
                points.Add((x[d] + BoxWidth + Stub, y[d] + (BoxHeight / 2)));
            }

            points.Add((x[to] - Stub, y[to] + (BoxHeight / 2)));
            points.Add((x[to], y[to] + (BoxHeight / 2)));
            edges[e] = new EdgePath(tasks[from].Id, tasks[to].Id, points);
        }

        var width = layers == 0 ? 2 * Margin : (2 * Margin) + (layers * BoxWidth) + ((layers - 1) * ColumnGap);
        var height = tallest == 0 ? 2 * Margin : (2 * Margin) + (tallest * BoxHeight) + ((tallest - 1) * RowGap);
        return new GraphLayout(nodes, edges, width, height, layers);
    }

    // Sorts a column by the mean slot of each node's neighbours in the adjacent column; a node without neighbours
    // keeps its slot as its key, and ties keep their order (stable), so sweeps settle.
    private static void Reorder(List<int> column, List<List<int>> neighbours, int[] pos)
    {
        var keys = new (double Key, int Slot, int Node)[column.Count];
        for (var i = 0; i < column.Count; i++)
        {
            var n = column[i];
            var adjacent = neighbours[n];
            double key = pos[n];
            if (adjacent.Count > 0)
            {
                var sum = 0.0;
                foreach (var a in adjacent)
                {
                    sum += pos[a];
                }

                key = sum / adjacent.Count;
            }

            keys[i] = (key, pos[n], n);
        }

        Array.Sort(keys, static (a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Slot.CompareTo(b.Slot));
        for (var i = 0; i < keys.Length; i++)
        {
            column[i] = keys[i].Node;
            pos[keys[i].Node] = i;
        }
    }

    /// <summary>A task's box in a <see cref="GraphLayout"/>: top-left corner, size and column.</summary>
    public sealed record NodeBox(string TaskId, double X, double Y, double Width, double Height, int Layer);

    /// <summary>An edge of a <see cref="GraphLayout"/>: a polyline from the upstream box to the downstream box.</summary>
    public sealed record EdgePath(string From, string To, IReadOnlyList<(double X, double Y)> Points);
}
