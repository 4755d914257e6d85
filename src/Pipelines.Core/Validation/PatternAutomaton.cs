namespace Pipelines.Validation;

/// <summary>
/// A regex read into a nondeterministic automaton, to answer one question a regex engine cannot:
/// can text made of literal pieces and holes (templates, which may render to anything) match the
/// regex whole? A hole moves the automaton to every state reachable from where it is.
/// </summary>
/// <remarks>
/// It reads the regex subset that grammars such as <see cref="ImageReference"/> are written in:
/// literal characters, <c>\</c>-escaped punctuation, classes such as <c>[a-z0-9._-]</c>, groups
/// <c>(?:…)</c>, <c>|</c>, and the quantifiers <c>* + ? {m} {m,} {m,n}</c>. Upper bounds are dropped:
/// the automaton may accept too much, never too little, and text that passes is checked whole by the
/// regex itself once its templates are rendered.
/// </remarks>
internal sealed class PatternAutomaton
{
    // Thompson's construction gives each state at most one move on a character: its characters and target.
    private readonly (char Lo, char Hi)[]?[] _moveChars;
    private readonly int[] _moveTargets;
    private readonly ulong[][] _closure;
    private readonly ulong[][] _reachable;
    private readonly int _start;
    private readonly int _accept;

    private PatternAutomaton(Builder builder, int start, int accept)
    {
        _start = start;
        _accept = accept;
        var count = builder.Empty.Count;
        _moveChars = [.. builder.Moves.Select(m => m?.Chars)];
        _moveTargets = [.. builder.Moves.Select(m => m?.To ?? -1)];
        _closure = new ulong[count][];
        _reachable = new ulong[count][];
        for (var state = 0; state < count; state++)
        {
            _closure[state] = Walk(builder, state, withMoves: false);
            _reachable[state] = Walk(builder, state, withMoves: true);
        }
    }

    /// <summary>Reads <paramref name="pattern"/>; throws <see cref="NotSupportedException"/> for syntax outside the subset.</summary>
    public static PatternAutomaton Parse(string pattern)
    {
        var position = 0;
        var node = ParseAlternation(pattern, ref position);
        if (position != pattern.Length)
        {
            throw new NotSupportedException($"Unexpected '{pattern[position]}' at {position} in {pattern}.");
        }

        var builder = new Builder();
        var (start, accept) = builder.Compile(node);
        return new PatternAutomaton(builder, start, accept);
    }

    /// <summary>True when some text with every hole (a null part) filled in matches the whole pattern.</summary>
    /// <param name="parts">Literal text, and null for each hole, in order.</param>
    public bool CanMatch(IEnumerable<string?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var current = (ulong[])_closure[_start].Clone();
        foreach (var part in parts)
        {
            if (part is null)
            {
                current = Union(current, state => _reachable[state]);
                continue;
            }

            foreach (var c in part)
            {
                current = Union(current, state => Step(state, c));
                if (current.All(word => word == 0))
                {
                    return false;
                }
            }
        }

        return Contains(current, _accept);
    }

    private ulong[]? Step(int state, char c)
    {
        foreach (var (lo, hi) in _moveChars[state] ?? [])
        {
            if (c >= lo && c <= hi)
            {
                return _closure[_moveTargets[state]];
            }
        }

        return null;
    }

    private ulong[] Union(ulong[] states, Func<int, ulong[]?> of)
    {
        var result = new ulong[states.Length];
        for (var word = 0; word < states.Length; word++)
        {
            for (var bits = states[word]; bits != 0; bits &= bits - 1)
            {
                if (of((word * 64) + System.Numerics.BitOperations.TrailingZeroCount(bits)) is { } set)
                {
                    for (var i = 0; i < result.Length; i++)
                    {
                        result[i] |= set[i];
                    }
                }
            }
        }

        return result;
    }

    private static bool Contains(ulong[] set, int state) => (set[state / 64] & (1UL << (state % 64))) != 0;

    private static ulong[] Walk(Builder builder, int from, bool withMoves)
    {
        var set = new ulong[(builder.Empty.Count + 63) / 64];
        var work = new Stack<int>();
        work.Push(from);
        set[from / 64] |= 1UL << (from % 64);
        while (work.Count > 0)
        {
            var state = work.Pop();
            var targets = withMoves && builder.Moves[state] is { } move ? builder.Empty[state].Append(move.To) : builder.Empty[state];
            foreach (var to in targets)
            {
                if (!Contains(set, to))
                {
                    set[to / 64] |= 1UL << (to % 64);
                    work.Push(to);
                }
            }
        }

        return set;
    }

    // alternation := sequence ('|' sequence)*
    private static Node ParseAlternation(string pattern, ref int position)
    {
        var items = new List<Node> { ParseSequence(pattern, ref position) };
        while (position < pattern.Length && pattern[position] == '|')
        {
            position++;
            items.Add(ParseSequence(pattern, ref position));
        }

        return items.Count == 1 ? items[0] : new Alternation([.. items]);
    }

    // sequence := (atom quantifier?)*
    private static Node ParseSequence(string pattern, ref int position)
    {
        var items = new List<Node>();
        while (position < pattern.Length && pattern[position] is not ('|' or ')'))
        {
            var atom = ParseAtom(pattern, ref position);
            items.Add(ParseQuantifier(pattern, ref position, atom));
        }

        return new Sequence([.. items]);
    }

    private static Node ParseAtom(string pattern, ref int position)
    {
        var c = pattern[position++];
        switch (c)
        {
            case '(':
                if (!pattern.AsSpan(position).StartsWith("?:"))
                {
                    throw new NotSupportedException($"Only (?:…) groups are read: {pattern}.");
                }

                position += 2;
                var inner = ParseAlternation(pattern, ref position);
                Expect(pattern, ref position, ')');
                return inner;
            case '[':
                var close = pattern.IndexOf(']', position);
                var set = pattern[position..close];
                position = close + 1;
                return new Chars(Ranges(set));
            case '\\' when position < pattern.Length && !char.IsAsciiLetterOrDigit(pattern[position]):
                var escaped = pattern[position++];
                return new Chars([(escaped, escaped)]);
            case '\\' or '.' or '^' or '$' or '*' or '+' or '?' or '{' or ')' or ']' or '}':
                throw new NotSupportedException($"'{c}' at {position - 1} is outside the regex subset read: {pattern}.");
            default:
                return new Chars([(c, c)]);
        }
    }

    private static Node ParseQuantifier(string pattern, ref int position, Node atom)
    {
        if (position >= pattern.Length)
        {
            return atom;
        }

        switch (pattern[position])
        {
            case '*':
                position++;
                return new Repeat(atom, 0, null);
            case '+':
                position++;
                return new Repeat(atom, 1, null);
            case '?':
                position++;
                return new Repeat(atom, 0, 1);
            case '{':
                var close = pattern.IndexOf('}', position);
                var bounds = pattern[(position + 1)..close].Split(',');
                position = close + 1;
                var min = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
                int? max = bounds.Length == 1 ? min : bounds[1].Length == 0 ? null : int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture);
                return new Repeat(atom, min, max);
            default:
                return atom;
        }
    }

    private static void Expect(string pattern, ref int position, char c)
    {
        if (position >= pattern.Length || pattern[position] != c)
        {
            throw new NotSupportedException($"Expected '{c}' at {position} in {pattern}.");
        }

        position++;
    }

    // A class's ranges: "a-z" is a range; a '-' first or last is itself.
    private static (char Lo, char Hi)[] Ranges(string set)
    {
        var ranges = new List<(char, char)>();
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                ranges.Add((set[i], set[i + 2]));
                i += 2;
            }
            else
            {
                ranges.Add((set[i], set[i]));
            }
        }

        return [.. ranges];
    }

    private abstract record Node;

    private sealed record Chars((char Lo, char Hi)[] Ranges) : Node;

    private sealed record Sequence(Node[] Items) : Node;

    private sealed record Alternation(Node[] Items) : Node;

    // Min to Max copies; no upper bound when Max is null.
    private sealed record Repeat(Node Item, int Min, int? Max) : Node;

    private sealed class Builder
    {
        public List<List<int>> Empty { get; } = [];

        public List<((char Lo, char Hi)[] Chars, int To)?> Moves { get; } = [];

        // Thompson's construction: each node becomes a fragment with one entry and one exit state.
        public (int In, int Out) Compile(Node node)
        {
            var from = AddState();
            var at = from;
            switch (node)
            {
                case Chars chars:
                    var to = AddState();
                    Moves[at] = (chars.Ranges, to);
                    return (from, to);
                case Sequence sequence:
                    foreach (var item in sequence.Items)
                    {
                        at = Then(at, item);
                    }

                    return (from, at);
                case Alternation alternation:
                    var end = AddState();
                    foreach (var item in alternation.Items)
                    {
                        Empty[Then(from, item)].Add(end);
                    }

                    return (from, end);
                case Repeat repeat:
                    for (var i = 0; i < repeat.Min; i++)
                    {
                        at = Then(at, repeat.Item);
                    }

                    var exit = AddState();
                    Empty[at].Add(exit);
                    if (repeat.Max == repeat.Min + 1)
                    {
                        Empty[Then(at, repeat.Item)].Add(exit);
                    }
                    else if (repeat.Max != repeat.Min)
                    {
                        // Any number more: a bound such as {0,127} is dropped (see the remarks).
                        Empty[Then(exit, repeat.Item)].Add(exit);
                    }

                    return (from, exit);
                default:
                    throw new NotSupportedException(node.GetType().Name);
            }
        }

        private int Then(int at, Node item)
        {
            var (itemIn, itemOut) = Compile(item);
            Empty[at].Add(itemIn);
            return itemOut;
        }

        private int AddState()
        {
            Empty.Add([]);
            Moves.Add(null);
            return Empty.Count - 1;
        }
    }
}
