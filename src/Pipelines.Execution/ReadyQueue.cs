namespace Pipelines.Execution;

/// <summary>
/// The tasks ready to start, best rank first, and the slots they take: at most <c>maxActive</c> attempts at once, and
/// within each pool at most its slots. A task its pool cannot take now waits in that pool's own queue until a slot of
/// the pool frees, instead of being sorted again at every step.
/// </summary>
internal sealed class ReadyQueue(RunGraph graph, double[] ranks, IReadOnlyDictionary<string, int> pools, int maxActive)
{
    private readonly PriorityQueue<int, (double, int)> _ready = new();
    private readonly Dictionary<string, PriorityQueue<int, (double, int)>> _poolWaiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _poolUsed = new(StringComparer.Ordinal);

    /// <summary>Attempts that hold a slot.</summary>
    public int Active { get; private set; }

    /// <summary>Tasks ready and not waiting for a pool.</summary>
    public int Count => _ready.Count;

    public void Enqueue(int task) => _ready.Enqueue(task, (-ranks[task], task));

    /// <summary>The best ready task that a slot and its pool can take now, which then holds them; false when none can.</summary>
    public bool TryStart(out int task)
    {
        while (Active < maxActive && _ready.TryDequeue(out task, out var priority))
        {
            var t = graph.Tasks[task];
            if (t.Pool is { } pool && _poolUsed.GetValueOrDefault(pool) + t.PoolSlots > pools[pool])
            {
                if (!_poolWaiting.TryGetValue(pool, out var waiting))
                {
                    _poolWaiting[pool] = waiting = new PriorityQueue<int, (double, int)>();
                }

                waiting.Enqueue(task, priority);
                continue;
            }

            Occupy(task);
            return true;
        }

        task = -1;
        return false;
    }

    /// <summary>Takes a slot and the task's pool slots for an attempt that runs already (an adopted one).</summary>
    public void Occupy(int task)
    {
        Active++;
        if (graph.Tasks[task].Pool is { } pool)
        {
            _poolUsed[pool] = _poolUsed.GetValueOrDefault(pool) + graph.Tasks[task].PoolSlots;
        }
    }

    /// <summary>Frees the slots of an attempt that ended; tasks waiting for its pool go back to the ready queue, as many as the free slots could hold.</summary>
    public void Release(int task)
    {
        Active--;
        if (graph.Tasks[task].Pool is not { } pool)
        {
            return;
        }

        _poolUsed[pool] -= graph.Tasks[task].PoolSlots;
        var free = pools[pool] - _poolUsed[pool];
        while (free > 0 && _poolWaiting.TryGetValue(pool, out var waiting) && waiting.TryDequeue(out var next, out var priority))
        {
            _ready.Enqueue(next, priority);
            free -= graph.Tasks[next].PoolSlots;
        }
    }
}
