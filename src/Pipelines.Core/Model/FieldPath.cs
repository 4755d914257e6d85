namespace Pipelines;

/// <summary>
/// Names one field of a task in messages, such as <c>args[1]</c>, <c>env.LOG_LEVEL</c> or
/// <c>kubernetes.serviceAccount</c>. A struct so that walking every field of a large DAG allocates
/// nothing until a message needs the text.
/// </summary>
public readonly record struct FieldPath(string Name, string? Key = null, int Index = -1)
{
    /// <summary>The field as users read it: <c>name</c>, <c>name.key</c> or <c>name[index]</c>.</summary>
    public override string ToString() =>
        Key is not null ? (Index >= 0 ? $"{Name}[{Index}].{Key}" : $"{Name}.{Key}")
        : Index >= 0 ? $"{Name}[{Index}]" : Name;
}

/// <summary>Maps one string field of a task to its new value (templating, checking).</summary>
public delegate string StringFieldMapper(string value, FieldPath field);
