namespace Pipelines.Templating;

/// <summary>
/// A field could not be resolved. The message names the DAG, task, field, the whole expression and the
/// reason, including what would have been valid (e.g. <c>params has: limit, table</c>).
/// </summary>
public sealed class TemplateException : Exception
{
    /// <summary>Creates the exception; the message is built from the parts.</summary>
    public TemplateException(string dagId, string taskId, string field, string expression, string reason, Exception? innerException = null)
        : base($"DAG '{dagId}', task '{taskId}', field '{field}': << {expression} >>: {reason}", innerException)
    {
        DagId = dagId;
        TaskId = taskId;
        Field = field;
        Expression = expression;
        Reason = reason;
    }

    /// <summary>The DAG id.</summary>
    public string DagId { get; }

    /// <summary>The task id.</summary>
    public string TaskId { get; }

    /// <summary>The field, e.g. <c>args[1]</c> or <c>env.SOURCE_DB_HOST</c>.</summary>
    public string Field { get; }

    /// <summary>The expression text between the delimiters, without surrounding whitespace.</summary>
    public string Expression { get; }

    /// <summary>What went wrong, without the location.</summary>
    public string Reason { get; }
}
