namespace Pipelines.Environments;

/// <summary><c>pipelines.json</c> is not valid, or names no such environment.</summary>
public sealed class PipelinesConfigException(string filePath, string field, string problem)
    : Exception($"{filePath}: {field} {problem}")
{
    /// <summary>The config file.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>The JSON path of the field, such as <c>$.environments.local.runtime</c>.</summary>
    public string Field { get; } = field;
}
