namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The watches: subscriptions fed from the history and from every change as it is published.</summary>
internal sealed partial class ClusterState
{
    /// <summary>
    /// Opens a watch. From null or 0: ADDED for every current matching object, then changes. From N: every change
    /// after N still in the history, then changes; when N is older than the history, returns no subscription and
    /// the oldest version the history could serve (the 410 Expired case).
    /// </summary>
    public (WatchSubscription? Subscription, List<WatchItem> Initial, long CompactedThrough) Subscribe(string kind, ObjectFilter filter, long? from)
    {
        var subscription = new WatchSubscription(kind, filter);
        var initial = new List<WatchItem>();
        lock (_gate)
        {
            if (from is > 0 && from < _history.CompactedThrough)
            {
                return (null, initial, _history.CompactedThrough);
            }

            if (from is null or 0)
            {
                initial.AddRange(Current(kind).Where(filter.Matches).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => new WatchItem("ADDED", o)));
            }
            else
            {
                foreach (var change in _history.After(from.Value))
                {
                    if (change.Object.Kind == kind && filter.Translate(change) is { } item)
                    {
                        initial.Add(item);
                    }
                }
            }

            if (_closed)
            {
                subscription.Channel.Writer.TryComplete();
            }
            else
            {
                _subscriptions.Add(subscription);
            }

            return (subscription, initial, _history.CompactedThrough);
        }
    }

    /// <summary>Closes a watch's channel; returns the resource version every change it was sent is at or below.</summary>
    public long Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
            subscription.Channel.Writer.TryComplete();
            return _resourceVersion;
        }
    }

    /// <summary>Drops the whole history: a watch from any older resource version now gets 410.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Compact(_resourceVersion);
        }
    }

    // Under the lock: keeps the change for resumed watches and hands it to every open watch that sees it.
    private void Publish(Change change)
    {
        _history.Add(change);
        foreach (var subscription in _subscriptions)
        {
            if (subscription.Kind == change.Object.Kind && subscription.Filter.Translate(change) is { } item)
            {
                subscription.Channel.Writer.TryWrite(item);
            }
        }
    }
}
