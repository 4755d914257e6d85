using System.Text;
using Pipelines.Attempts;
using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Checks the task's common settings against what the API server and the kubelet accept, beyond
/// what <c>Build()</c> checks for every runtime: label syntax, Secret and ConfigMap names, host
/// aliases, and security settings that contradict each other on Kubernetes. User values are
/// reported, never rewritten.
/// </summary>
internal static class TaskChecks
{
    // The API server's limit on the total size of a pod's annotations.
    private const int AnnotationBytesLimit = 256 * 1024;

    public static void Check(ContainerTask task, DiagnosticCollector diagnostics)
    {
        CheckLabels(task, diagnostics);
        CheckAnnotations(task, diagnostics);
        CheckEnv(task, diagnostics);
        CheckSecurity(task, diagnostics);
        CheckHosts(task, diagnostics);
    }

    private static void CheckLabels(ContainerTask task, DiagnosticCollector diagnostics)
    {
        foreach (var (key, value) in task.Labels)
        {
            var field = new FieldPath("labels", key).ToString();
            if (IsIdentityLabel(key))
            {
                diagnostics.Warning(field, $"'{key}' is a label Pipelines sets to find the attempt again; the task's value '{value}' is replaced");
                continue;
            }

            if (!KubernetesRules.IsQualifiedName(key))
            {
                diagnostics.Error(field, $"'{key}' is not a label key Kubernetes accepts: {KubernetesRules.QualifiedNameExpected}");
            }

            if (!AttemptNames.IsLabelValue(value))
            {
                diagnostics.Error(field, $"'{value}' is not a label value Kubernetes accepts: {KubernetesRules.LabelValueExpected}; " +
                    "Pipelines does not change your labels — put free text in an annotation");
            }
        }
    }

    private static void CheckAnnotations(ContainerTask task, DiagnosticCollector diagnostics)
    {
        var bytes = 0;
        foreach (var (key, value) in task.Annotations)
        {
            var field = new FieldPath("annotations", key).ToString();
            bytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
            if (key == AttemptNames.AttemptAnnotation)
            {
                diagnostics.Warning(field, $"'{key}' is the annotation Pipelines sets to the exact attempt id; the task's value is replaced");
            }
            else if (!KubernetesRules.IsQualifiedName(key))
            {
                diagnostics.Error(field, $"'{key}' is not an annotation key Kubernetes accepts: {KubernetesRules.QualifiedNameExpected}");
            }
        }

        if (bytes > AnnotationBytesLimit)
        {
            diagnostics.Error("annotations", $"the annotations take {bytes} bytes; Kubernetes accepts at most {AnnotationBytesLimit} in all");
        }
    }

    private static bool IsIdentityLabel(string key) =>
        key is AttemptNames.DagLabel or AttemptNames.TaskLabel or AttemptNames.RunLabel or AttemptNames.TryLabel;

    private static void CheckEnv(ContainerTask task, DiagnosticCollector diagnostics)
    {
        if (task.Env.Any(e => e.Name == AttemptContract.OutputVariable) || task.SecretEnv.Any(e => e.Name == AttemptContract.OutputVariable))
        {
            diagnostics.Warning(new FieldPath("env", AttemptContract.OutputVariable).ToString(),
                $"Pipelines sets {AttemptContract.OutputVariable}={AttemptContract.OutputPath}, the file the kubelet returns as the task's output; the task's value is replaced");
        }

        foreach (var secret in task.SecretEnv)
        {
            if (!KubernetesNames.IsDnsSubdomain(secret.Secret.Name))
            {
                diagnostics.Error(new FieldPath("secretEnv", secret.Name + ".name").ToString(),
                    $"'{secret.Secret.Name}' is not a Secret name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain)");
            }

            if (!KubernetesRules.IsConfigKey(secret.Secret.Key))
            {
                diagnostics.Error(new FieldPath("secretEnv", secret.Name + ".key").ToString(),
                    $"'{secret.Secret.Key}' is not a Secret key Kubernetes accepts: letters, digits, '-', '_' and '.'");
            }
        }

        for (var i = 0; i < task.EnvFrom.Length; i++)
        {
            var source = task.EnvFrom[i];
            if (!KubernetesNames.IsDnsSubdomain(source.Name))
            {
                diagnostics.Error(new FieldPath("envFrom", "name", i).ToString(),
                    $"'{source.Name}' is not a {source.Kind} name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain)");
            }
        }
    }

    private static void CheckSecurity(ContainerTask task, DiagnosticCollector diagnostics)
    {
        if (task.RunAsNonRoot == true && task.RunAsUser == 0)
        {
            diagnostics.Error("runAsNonRoot", "runAsNonRoot with runAsUser 0 (root): the kubelet refuses to start such a container");
        }

        if (task.Privileged == true && task.RunAsNonRoot == true)
        {
            diagnostics.Warning("privileged", "privileged with runAsNonRoot: a non-root process does not get the capabilities privileged grants, only the host's devices");
        }

        foreach (var (list, field) in new[] { (task.CapabilitiesAdd, "capabilities.add"), (task.CapabilitiesDrop, "capabilities.drop") })
        {
            foreach (var capability in list.Where(c => c.StartsWith("CAP_", StringComparison.Ordinal)))
            {
                diagnostics.Warning(field, $"Kubernetes names capabilities without the CAP_ prefix (the container runtime adds it); '{capability}' is rendered as '{BaseContainerFactory.CapabilityName(capability)}'");
            }
        }

        if (task.Privileged == true && !task.CapabilitiesDrop.IsDefaultOrEmpty)
        {
            diagnostics.Warning("capabilities.drop", "a privileged container gets every capability: the container runtime ignores capabilities.drop");
        }
    }

    private static void CheckHosts(ContainerTask task, DiagnosticCollector diagnostics)
    {
        for (var i = 0; i < task.ExtraHosts.Length; i++)
        {
            var host = task.ExtraHosts[i];
            if (host.Ip == "host-gateway")
            {
                diagnostics.Warning(new FieldPath("extraHosts", "ip", i).ToString(),
                    $"'host-gateway' is Docker's name for the host's address; a pod has no such address, so '{host.Host}' is left out of hostAliases");
                continue;
            }

            if (!KubernetesRules.IsIpAddress(host.Ip))
            {
                diagnostics.Error(new FieldPath("extraHosts", "ip", i).ToString(), $"'{host.Ip}' is not an IP address; hostAliases take IPv4 or IPv6 addresses");
            }

            if (!KubernetesNames.IsDnsSubdomain(host.Host))
            {
                diagnostics.Error(new FieldPath("extraHosts", "host", i).ToString(),
                    $"'{host.Host}' is not a host name Kubernetes accepts in hostAliases: lowercase letters, digits, '-' and '.'");
            }
        }
    }
}
