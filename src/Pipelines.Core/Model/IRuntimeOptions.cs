namespace Pipelines;

/// <summary>
/// Settings that only one runtime understands (Kubernetes tolerations, a Docker network, …).
/// The core keeps them in a typed slot on each task and knows no runtime: each runtime's project
/// defines its own options and the <c>OnXxx(...)</c> extension that sets them.
/// </summary>
public interface IRuntimeOptions
{
    /// <summary>The runtime these options are for, such as <c>kubernetes</c> or <c>docker</c>.</summary>
    string Runtime { get; }

    /// <summary>
    /// Returns a copy with every string setting passed through <paramref name="map"/>, so that
    /// templating reaches runtime-only settings too; field names start with <see cref="Runtime"/>.
    /// </summary>
    IRuntimeOptions MapStrings(StringFieldMapper map);

    /// <summary>Reports every invalid setting as (field, message).</summary>
    IEnumerable<(string Field, string Message)> Validate();
}

/// <summary>Collects one runtime's options for a task; the DSL builds it when the DAG is built.</summary>
public abstract class RuntimeOptionsBuilder
{
    /// <summary>The immutable options collected so far.</summary>
    protected internal abstract IRuntimeOptions Build();
}
