using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipelines.Attempts;

/// <summary>
/// The names and labels every container or pod of an attempt carries, so a restarted host can find
/// what it started: deterministic per DAG + run + task + try, within Kubernetes' and Docker's rules,
/// shortened with a hash suffix when too long (so two long ids never collide).
/// </summary>
public static class AttemptNames
{
    /// <summary>Label key: the DAG id.</summary>
    public const string DagLabel = "pipelines.dag";

    /// <summary>Label key: the task id.</summary>
    public const string TaskLabel = "pipelines.task";

    /// <summary>Label key: the run id.</summary>
    public const string RunLabel = "pipelines.run";

    /// <summary>Label key: the try number.</summary>
    public const string TryLabel = "pipelines.try";

    /// <summary>Label key: the run store's id, which a runtime adds to what it starts (containers, pods), so two stores never mistake each other's.</summary>
    public const string StoreLabel = "pipelines.store";

    /// <summary>Annotation key: the exact, unsanitised attempt id.</summary>
    public const string AttemptAnnotation = "pipelines.attempt";

    /// <summary>The exact attempt id: <c>dag/run/task/try</c>.</summary>
    public static string AttemptId(string dagId, string runId, string taskId, int tryNumber) =>
        $"{dagId}/{runId}/{taskId}/{tryNumber.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A DNS-1123 label (lowercase alphanumerics and '-', ≤ 63) for a pod or container:
    /// <c>dag-task-runhash-try</c>, cut with a hash suffix when longer. Deterministic.
    /// </summary>
    public static string ResourceName(string dagId, string runId, string taskId, int tryNumber)
    {
        var readable = $"{Sanitise(dagId)}-{Sanitise(taskId)}";
        var suffix = $"{Hash(AttemptId(dagId, runId, taskId, tryNumber), 8)}-{tryNumber.ToString(CultureInfo.InvariantCulture)}";
        var room = 63 - suffix.Length - 1;
        if (readable.Length > room)
        {
            readable = readable[..room].TrimEnd('-');
        }

        return $"{readable}-{suffix}";
    }

    /// <summary>
    /// A label value (≤ 63; alphanumerics, '-', '_', '.'; alphanumeric at both ends). Values that
    /// had to change are cut and end with a hash of the original, so they stay unique.
    /// </summary>
    public static string LabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsLabelValue(value))
        {
            return value;
        }

        var cleaned = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var hash = Hash(value, 10);
        var head = cleaned.ToString().Trim('-', '_', '.');
        if (head.Length > 63 - hash.Length - 1)
        {
            head = head[..(63 - hash.Length - 1)].TrimEnd('-', '_', '.');
        }

        return head.Length == 0 ? hash : $"{head}-{hash}";
    }

    /// <summary>True when Kubernetes accepts <paramref name="value"/> as a label value as it is.</summary>
    public static bool IsLabelValue(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        if (value.Length > 63 || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The four identity labels of an attempt, with label-safe values.</summary>
    public static ImmutableSortedDictionary<string, string> Labels(string dagId, string runId, string taskId, int tryNumber) =>
        new Dictionary<string, string>
        {
            [DagLabel] = LabelValue(dagId),
            [TaskLabel] = LabelValue(taskId),
            [RunLabel] = LabelValue(runId),
            [TryLabel] = tryNumber.ToString(CultureInfo.InvariantCulture),
        }.ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static string Sanitise(string id)
    {
        var text = new StringBuilder(id.Length);
        foreach (var c in id.ToLowerInvariant())
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var result = text.ToString().Trim('-');
        while (result.Contains("--", StringComparison.Ordinal))
        {
            result = result.Replace("--", "-", StringComparison.Ordinal);
        }

        return result.Length == 0 ? "x" : result;
    }

    private static string Hash(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
}
