namespace Pipelines.Kubernetes.FakeApi;

/// <summary>One line of a container's log: when the container wrote it and its text (without the line end).</summary>
internal readonly record struct LogLine(DateTimeOffset Time, string Text);

/// <summary>An open <c>follow=true</c> log stream of a container.</summary>
internal sealed class LogFollower
{
    /// <summary>The index of the line this stream must cut in half before it drops the connection, once one is cut.</summary>
    public int? CutAt { get; set; }
}

/// <summary>
/// The log of one container, and the followers waiting for more of it. Not locked itself: every member is used under
/// the state lock; followers wait on <see cref="Changed"/> outside it.
/// </summary>
internal sealed class ContainerLog
{
    private readonly List<LogLine> _lines = [];
    private readonly HashSet<LogFollower> _followers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _followerJoined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether a follow stream is open that no cut has hit yet.</summary>
    public bool HasUncutFollower => _followers.Any(f => f.CutAt is null);

    /// <summary>Completes when the next follow stream opens.</summary>
    public Task FollowerJoined => _followerJoined.Task;

    /// <summary>True once the container has terminated (or its pod is gone): a follower ends after the last line.</summary>
    public bool Ended { get; private set; }

    /// <summary>How many lines there are.</summary>
    public int Count => _lines.Count;

    /// <summary>Completes at the next change (a line, a cut, the end); read it under the lock with the lines it follows.</summary>
    public Task Changed => _changed.Task;

    /// <summary>The line at <paramref name="index"/>.</summary>
    public LogLine this[int index] => _lines[index];

    /// <summary>Registers an open follow stream.</summary>
    public void AddFollower(LogFollower follower)
    {
        _followers.Add(follower);
        var joined = _followerJoined;
        _followerJoined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        joined.TrySetResult();
    }

    /// <summary>Unregisters a follow stream that ended.</summary>
    public void RemoveFollower(LogFollower follower) => _followers.Remove(follower);

    /// <summary>Appends a line and wakes the followers.</summary>
    public void Append(LogLine line)
    {
        _lines.Add(line);
        Signal();
    }

    /// <summary>
    /// Appends a line that every follower open now receives only the first half of, before its connection drops;
    /// the log keeps the whole line for the next reader.
    /// </summary>
    public void AppendCut(LogLine line)
    {
        var index = _lines.Count;
        _lines.Add(line);
        foreach (var follower in _followers)
        {
            follower.CutAt ??= index;
        }

        Signal();
    }

    /// <summary>Marks the log complete: followers end once they have sent every line.</summary>
    public void End()
    {
        if (!Ended)
        {
            Ended = true;
            Signal();
        }
    }

    /// <summary>The index of the first line at or after <paramref name="since"/> (the kubelet skips lines before it).</summary>
    public int FirstAtOrAfter(DateTimeOffset since)
    {
        for (var i = 0; i < _lines.Count; i++)
        {
            if (_lines[i].Time >= since)
            {
                return i;
            }
        }

        return _lines.Count;
    }

    /// <summary>The last <paramref name="maxLines"/> lines, at most <paramref name="maxBytes"/> UTF-8 bytes (the kubelet's FallbackToLogsOnError).</summary>
    public string Tail(int maxLines, int maxBytes)
    {
        var text = string.Join("\n", _lines.Skip(Math.Max(0, _lines.Count - maxLines)).Select(l => l.Text));
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return bytes.Length <= maxBytes ? text : System.Text.Encoding.UTF8.GetString(bytes, bytes.Length - maxBytes, maxBytes);
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
