namespace Pipelines.Execution;

/// <summary>A DAG as the executor walks it: tasks by index, each with the indexes of its upstream and downstream tasks.</summary>
internal sealed class RunGraph
{
    private readonly Dictionary<string, int> _index;

    public RunGraph(Dag dag)
    {
        Dag = dag;
        Tasks = dag.Tasks;
        var n = Tasks.Length;
        _index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            _index[Tasks[i].Id] = i;
        }

        Upstream = new int[n][];
        Downstream = new int[n][];
        for (var i = 0; i < n; i++)
        {
            Upstream[i] = [.. Tasks[i].Upstream.Select(u => _index[u])];
            Downstream[i] = [.. dag.Downstream(Tasks[i].Id).Select(d => _index[d])];
        }

        TopologicalOrder = [.. dag.TopologicalOrder.Select(id => _index[id])];
    }

    public Dag Dag { get; }

    public ImmutableArray<ContainerTask> Tasks { get; }

    public int Count => Tasks.Length;

    /// <summary>The direct upstream tasks of each task.</summary>
    public int[][] Upstream { get; }

    /// <summary>The direct downstream tasks of each task.</summary>
    public int[][] Downstream { get; }

    /// <summary>Every task, upstream before downstream.</summary>
    public int[] TopologicalOrder { get; }

    public bool TryIndexOf(string taskId, out int index) => _index.TryGetValue(taskId, out index);
}
