namespace Pipelines.Execution;

/// <summary>
/// Critical-path priority: a task's rank is its own expected duration plus the longest rank below it, so the task that
/// heads the longest remaining path starts first. Expected durations are the past ones the store knows, else their
/// average, else 1 per task.
/// </summary>
internal static class CriticalPath
{
    public static double[] Ranks(RunGraph graph, IReadOnlyDictionary<string, TimeSpan> pastDurations)
    {
        var fallback = pastDurations.Count == 0 ? 1.0 : pastDurations.Values.Average(d => Math.Max(d.TotalSeconds, 0.001));
        var rank = new double[graph.Count];
        var order = graph.TopologicalOrder;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var i = order[k];
            var own = pastDurations.TryGetValue(graph.Tasks[i].Id, out var d) ? Math.Max(d.TotalSeconds, 0.001) : fallback;
            var below = 0.0;
            foreach (var down in graph.Downstream[i])
            {
                below = Math.Max(below, rank[down]);
            }

            rank[i] = own + below;
        }

        return rank;
    }
}
