using QuikGraph;
using QuikGraph.Algorithms;

namespace Pipelines.Graph;

/// <summary>
/// The dependency edges of a DAG's tasks by index. Orders them topologically (Kahn's algorithm,
/// iterative, so a chain of any length is fine) and, only when that fails, finds every cycle with
/// QuikGraph's strongly connected components (Tarjan) to report each one as a path.
/// </summary>
internal sealed class DependencyGraph
{
    private readonly int[][] _upstream;
    private readonly int[] _downstreamStart;
    private readonly int[] _downstream;

    public DependencyGraph(int[][] upstream)
    {
        // Downstream edges in one flat array (compressed rows): task i's are
        // _downstream[_downstreamStart[i] .. _downstreamStart[i + 1]], in declaration order.
        _upstream = upstream;
        _downstreamStart = new int[upstream.Length + 1];
        foreach (var ups in upstream)
        {
            foreach (var u in ups)
            {
                _downstreamStart[u + 1]++;
            }
        }

        for (var i = 0; i < upstream.Length; i++)
        {
            _downstreamStart[i + 1] += _downstreamStart[i];
        }

        _downstream = new int[_downstreamStart[upstream.Length]];
        var next = (int[])_downstreamStart.Clone();
        for (var i = 0; i < upstream.Length; i++)
        {
            foreach (var u in upstream[i])
            {
                _downstream[next[u]++] = i;
            }
        }
    }

    public int Count => _upstream.Length;

    public ReadOnlySpan<int> DownstreamOf(int task) => _downstream.AsSpan(_downstreamStart[task], _downstreamStart[task + 1] - _downstreamStart[task]);

    /// <summary>
    /// A topological order, ties broken by declaration order; null when there is a cycle, with
    /// <paramref name="unordered"/> marking the tasks on or below a cycle.
    /// </summary>
    public int[]? TopologicalOrder(out bool[] unordered)
    {
        var remaining = new int[Count];
        var queue = new Queue<int>();
        for (var i = 0; i < Count; i++)
        {
            remaining[i] = _upstream[i].Length;
            if (remaining[i] == 0)
            {
                queue.Enqueue(i);
            }
        }

        var order = new int[Count];
        var n = 0;
        while (queue.Count > 0)
        {
            var task = queue.Dequeue();
            order[n++] = task;
            foreach (var d in DownstreamOf(task))
            {
                if (--remaining[d] == 0)
                {
                    queue.Enqueue(d);
                }
            }
        }

        unordered = new bool[Count];
        if (n == Count)
        {
            return order;
        }

        for (var i = 0; i < Count; i++)
        {
            unordered[i] = remaining[i] > 0;
        }

        return null;
    }

    /// <summary>
    /// Every cycle among the <paramref name="unordered"/> tasks, one per strongly connected
    /// component, as task indexes with the first repeated at the end.
    /// </summary>
    public List<int[]> FindCycles(bool[] unordered)
    {
        PeelSinks(unordered);
        var graph = new AdjacencyGraph<int, SEquatableEdge<int>>(allowParallelEdges: false);
        for (var i = 0; i < Count; i++)
        {
            if (unordered[i])
            {
                graph.AddVertex(i);
            }
        }

        for (var i = 0; i < Count; i++)
        {
            foreach (var u in _upstream[i])
            {
                if (unordered[i] && unordered[u])
                {
                    graph.AddEdge(new SEquatableEdge<int>(u, i));
                }
            }
        }

        var components = new Dictionary<int, int>();
        graph.StronglyConnectedComponents(components);
        var cycles = new List<int[]>();
        foreach (var group in components.GroupBy(kv => kv.Value, kv => kv.Key))
        {
            var members = group.ToHashSet();
            var start = members.Min();
            if (members.Count == 1 && !_upstream[start].Contains(start))
            {
                continue;
            }

            cycles.Add(PathBack(start, members));
        }

        return cycles.OrderBy(c => c[0]).ToList();
    }

    // Tasks below a cycle that lead to no other cycle are not part of one: peel them off from the
    // sinks upwards, so that the (recursive) component search sees little more than the cycles.
    private void PeelSinks(bool[] unordered)
    {
        var remaining = new int[Count];
        var queue = new Queue<int>();
        for (var i = 0; i < Count; i++)
        {
            if (!unordered[i])
            {
                continue;
            }

            foreach (var d in DownstreamOf(i))
            {
                if (unordered[d])
                {
                    remaining[i]++;
                }
            }

            if (remaining[i] == 0)
            {
                queue.Enqueue(i);
            }
        }

        while (queue.Count > 0)
        {
            var task = queue.Dequeue();
            unordered[task] = false;
            foreach (var u in _upstream[task])
            {
                if (unordered[u] && --remaining[u] == 0)
                {
                    queue.Enqueue(u);
                }
            }
        }
    }

    // Breadth-first from start's downstream tasks, inside its component, to the shortest way back to start.
    private int[] PathBack(int start, HashSet<int> members)
    {
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var task = queue.Dequeue();
            foreach (var d in DownstreamOf(task))
            {
                if (!members.Contains(d))
                {
                    continue;
                }

                if (d == start)
                {
                    var path = new List<int> { start };
                    for (var t = task; t != start; t = previous[t])
                    {
                        path.Add(t);
                    }

                    path.Add(start);
                    path.Reverse();
                    return [.. path];
                }

                if (previous.TryAdd(d, task))
                {
                    queue.Enqueue(d);
                }
            }
        }

        throw new InvalidOperationException("A strongly connected component without a cycle back to its start.");
    }
}
