namespace Pipelines.Kubernetes;

/// <summary>Kubernetes' name rules (DNS-1123) and the names Pipelines gives.</summary>
public static class KubernetesNames
{
    /// <summary>The name of the task's own container in a pod, as Airflow's KubernetesPodOperator names it.</summary>
    public const string BaseContainer = "base";

    /// <summary>A DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most 63.</summary>
    public static bool IsDnsLabel(string? name) => name is { Length: > 0 and <= 63 } && IsDnsPart(name);

    /// <summary>
    /// A DNS-1123 subdomain, as the API server checks Secret, ConfigMap, PersistentVolumeClaim and pod
    /// names: at most 253 characters in all, dot-separated parts of lowercase alphanumerics and '-' that
    /// start and end alphanumeric. Unlike DNS itself, Kubernetes sets no 63-character limit per part.
    /// </summary>
    public static bool IsDnsSubdomain(string? name) =>
        name is { Length: > 0 and <= 253 } && name.Split('.').All(part => part.Length > 0 && IsDnsPart(part));

    private static bool IsDnsPart(string part)
    {
        if (!char.IsAsciiLetterLower(part[0]) && !char.IsAsciiDigit(part[0]))
        {
            return false;
        }

        if (!char.IsAsciiLetterLower(part[^1]) && !char.IsAsciiDigit(part[^1]))
        {
            return false;
        }

        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
