namespace Pipelines.Validation;

/// <summary>Rules for ids and names (the "did you mean" lists of messages are <see cref="Text.NameList"/>).</summary>
public static class Names
{
    /// <summary>The longest id of a DAG, task, parameter or pool (Airflow's limit).</summary>
    public const int MaxIdLength = 250;

    /// <summary>What an environment variable name looks like, for messages.</summary>
    internal const string EnvVarNameExpected =
        "letters, digits, '_', '.' and '-', not starting with a digit (such as LOG_LEVEL or my.setting), and not '.' or starting with '..'";

    /// <summary>What a volume name looks like, for messages.</summary>
    internal const string VolumeNameExpected = "letters, digits, '_', '.' and '-', starting with a letter or digit (such as orders-data)";

    /// <summary>True for a non-empty id of at most <see cref="MaxIdLength"/> letters, digits, <c>_</c>, <c>.</c> and <c>-</c> (Airflow's task id rule).</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Why <paramref name="id"/> is not a valid id of <paramref name="what"/> (such as "task id"), or null when it is.
    /// </summary>
    internal static string? IdProblem(string id, string what)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (IsValidId(id))
        {
            return null;
        }

        return id.Length > MaxIdLength
            ? $"the {what} has {id.Length} characters; at most {MaxIdLength} are allowed"
            : $"'{id}' is not a valid {what}; use letters, digits, '_', '.' and '-' (at most {MaxIdLength})";
    }

    /// <summary>
    /// True for an environment variable name every runtime accepts: <c>[-._a-zA-Z][-._a-zA-Z0-9]*</c>, not
    /// <c>.</c> and not starting with <c>..</c> — Kubernetes' rule, the strictest of the targets.
    /// </summary>
    /// <remarks>
    /// Docker and a process take any name without '=' or NUL; the API server refuses anything else
    /// (unless the cluster relaxes it, which a definition cannot count on). POSIX's portable
    /// <c>[A-Za-z_][A-Za-z0-9_]*</c> would be stricter than every target: names such as
    /// <c>spring.profiles.active</c> reach every runtime's process, a shell just cannot read them.
    /// The same rule holds for the prefix of an imported secret or config map.
    /// </remarks>
    public static bool IsEnvVarName(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]) || name == "." || name.StartsWith("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True for a name that may be a volume on some target: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>,
    /// starting with a letter or digit. The targets narrow it (Docker: two characters or more; Kubernetes:
    /// a lowercase DNS-1123 subdomain), and a local runtime keeps the volume in a folder of that name, so
    /// no name may hold '/' or start with '.'.
    /// </summary>
    public static bool IsVolumeName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
