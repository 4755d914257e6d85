namespace Pipelines;

/// <summary>The runtime-only options of one task, at most one per options type.</summary>
public sealed class RuntimeOptionsSet
{
    private readonly ImmutableArray<IRuntimeOptions> _items;

    private RuntimeOptionsSet(ImmutableArray<IRuntimeOptions> items) => _items = items;

    /// <summary>No runtime-only options.</summary>
    public static RuntimeOptionsSet Empty { get; } = new([]);

    /// <summary>Every options object, in a stable order.</summary>
    public ImmutableArray<IRuntimeOptions> All => _items;

    /// <summary>The options of type <typeparamref name="T"/>, or null when none were set.</summary>
    public T? Get<T>()
        where T : class, IRuntimeOptions
    {
        foreach (var item in _items)
        {
            if (item is T typed)
            {
                return typed;
            }
        }

        return null;
    }

    /// <summary>Creates a set from options objects.</summary>
    public static RuntimeOptionsSet Of(IEnumerable<IRuntimeOptions> items)
    {
        var array = items.OrderBy(i => i.Runtime, StringComparer.Ordinal).ToImmutableArray();
        return array.IsEmpty ? Empty : new RuntimeOptionsSet(array);
    }

    /// <summary>Returns a set whose options have had <paramref name="map"/> applied to every string.</summary>
    public RuntimeOptionsSet MapStrings(StringFieldMapper map)
    {
        if (_items.IsEmpty)
        {
            return this;
        }

        var mapped = _items.Select(i => i.MapStrings(map)).ToImmutableArray();
        return mapped.SequenceEqual(_items) ? this : new RuntimeOptionsSet(mapped);
    }
}
