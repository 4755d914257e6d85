namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// The bounded history of changes a watch resumes from (the API server's watch cache). Not thread-safe: used under
/// the state lock.
/// </summary>
/// <param name="capacity">How many changes it keeps.</param>
/// <param name="start">The resource version before the first change: a watch from an older one gets 410.</param>
internal sealed class ChangeHistory(int capacity, long start)
{
    private readonly Change[] _ring = new Change[capacity];
    private int _start;
    private int _count;

    /// <summary>
    /// The highest resource version no longer in the history: a watch from an older version may have missed changes
    /// and gets 410 Expired.
    /// </summary>
    public long CompactedThrough { get; private set; } = start;

    /// <summary>Appends a change, dropping the oldest when full.</summary>
    public void Add(Change change)
    {
        if (_count == _ring.Length)
        {
            CompactedThrough = _ring[_start].ResourceVersion;
            _ring[_start] = change;
            _start = (_start + 1) % _ring.Length;
            return;
        }

        _ring[(_start + _count) % _ring.Length] = change;
        _count++;
    }

    /// <summary>Drops every change: a watch from any version before <paramref name="current"/> now gets 410.</summary>
    public void Compact(long current)
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        CompactedThrough = current;
    }

    /// <summary>The changes after <paramref name="resourceVersion"/>, oldest first.</summary>
    public IEnumerable<Change> After(long resourceVersion)
    {
        // Resource versions increase along the ring: find the first newer one by binary search.
        int low = 0, high = _count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (At(mid).ResourceVersion <= resourceVersion)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        var changes = new List<Change>(_count - low);
        for (var i = low; i < _count; i++)
        {
            changes.Add(At(i));
        }

        return changes;
    }

    private Change At(int index) => _ring[(_start + index) % _ring.Length];
}
