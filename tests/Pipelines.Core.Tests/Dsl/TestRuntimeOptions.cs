namespace Pipelines.Core.Tests.Dsl;

/// <summary>A runtime-only options slot for tests of the open options mechanism.</summary>
public sealed record TestRuntimeOptions(ImmutableArray<string> Items, string? Note = null) : IRuntimeOptions
{
    public string Runtime => "test";

    public IRuntimeOptions MapStrings(StringFieldMapper map) => this with
    {
        Items = [.. Items.Select((item, i) => map(item, new FieldPath("test.items", null, i)))],
        Note = Note is null ? null : map(Note, new FieldPath("test.note")),
    };

    public IEnumerable<(string Field, string Message)> Validate() =>
        Items.Contains("invalid") ? [("test.items", "'invalid' is not allowed")] : [];
}

public sealed class TestRuntimeOptionsBuilder : RuntimeOptionsBuilder
{
    private readonly List<string> _items = [];
    private string? _note;

    public TestRuntimeOptionsBuilder Add(string item)
    {
        _items.Add(item);
        return this;
    }

    public TestRuntimeOptionsBuilder Note(string note)
    {
        _note = note;
        return this;
    }

    protected internal override IRuntimeOptions Build() => new TestRuntimeOptions([.. _items], _note);
}

public static class TestRuntimeExtensions
{
    public static TaskBuilder OnTestRuntime(this TaskBuilder task, Action<TestRuntimeOptionsBuilder> configure) => task.Configure(configure);
}
