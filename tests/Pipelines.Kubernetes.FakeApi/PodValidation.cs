using System.Text.RegularExpressions;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The API server's own checks of a pod (beyond the schema's shape): names, containers, images.</summary>
internal static partial class PodValidation
{
    /// <summary>Every problem of <paramref name="pod"/>, as Invalid causes.</summary>
    public static List<StatusCause> Check(V1Pod pod)
    {
        var causes = new List<StatusCause>();
        var name = pod.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            causes.Add(new("FieldValueRequired", "metadata.name: Required value: name or generateName is required", "metadata.name"));
        }
        else if (name.Length > 253 || !Subdomain().IsMatch(name))
        {
            causes.Add(new(
                "FieldValueInvalid",
                $"metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "metadata.name"));
        }

        if (pod.Spec?.Containers is not { Count: > 0 })
        {
            causes.Add(new("FieldValueRequired", "spec.containers: Required value", "spec.containers"));
            return causes;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (containers, field) in new[] { (pod.Spec.InitContainers ?? [], "spec.initContainers"), (pod.Spec.Containers, "spec.containers") })
        {
            for (var i = 0; i < containers.Count; i++)
            {
                var container = containers[i];
                var at = $"{field}[{i}]";
                if (string.IsNullOrEmpty(container.Name))
                {
                    causes.Add(new("FieldValueRequired", $"{at}.name: Required value", $"{at}.name"));
                }
                else if (!seen.Add(container.Name))
                {
                    causes.Add(new("FieldValueDuplicate", $"{at}.name: Duplicate value: \"{container.Name}\"", $"{at}.name"));
                }
                else if (container.Name.Length > 63 || !Label().IsMatch(container.Name))
                {
                    causes.Add(new("FieldValueInvalid", $"{at}.name: Invalid value: \"{container.Name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", $"{at}.name"));
                }

                if (string.IsNullOrWhiteSpace(container.Image))
                {
                    causes.Add(new("FieldValueRequired", $"{at}.image: Required value", $"{at}.image"));
                }
            }
        }

        return causes;
    }

    /// <summary>The message of an Invalid status: <c>Pod "name" is invalid: cause</c>, or <c>[cause, cause]</c> for several.</summary>
    public static string Message(string? name, IReadOnlyList<StatusCause> causes) =>
        $"Pod \"{name}\" is invalid: " + (causes.Count == 1 ? causes[0].Message : "[" + string.Join(", ", causes.Select(c => c.Message)) + "]");

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();
}
