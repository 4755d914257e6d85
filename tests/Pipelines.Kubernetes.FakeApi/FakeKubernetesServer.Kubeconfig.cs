using System.Text;
using System.Text.Json;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The kubeconfig files that reach the server from another process.</summary>
public sealed partial class FakeKubernetesServer
{
    /// <summary>
    /// Writes <c>&lt;directory&gt;/kubeconfig</c>: cluster "fake" (server <see cref="Url"/>), context "fake" with
    /// <paramref name="namespace"/>, user "fake". Without <paramref name="execCredential"/> the user has
    /// <c>token: &lt;current token&gt;</c>, and the file is rewritten with the new token on every rotation (with
    /// <see cref="FakeServerOptions.RequireToken"/> off, the context names no user at all: KubernetesClient refuses a
    /// user without credentials). With it the user has an <c>exec</c> provider
    /// (client.authentication.k8s.io/v1) that prints <c>&lt;directory&gt;/token.json</c>, an ExecCredential with the
    /// current token that the server rewrites on every rotation. The command is <c>/bin/cat &lt;directory&gt;/token.json</c>:
    /// KubernetesClient joins exec arguments with spaces into one command line, so a <c>sh -c 'cat ...'</c> form would
    /// reach the shell split apart. The directory must not contain whitespace or quotes for the same reason.
    /// </summary>
    /// <returns>The kubeconfig's path.</returns>
    public string WriteKubeconfig(string directory, string @namespace = "default", bool execCredential = false)
    {
        Directory.CreateDirectory(directory);
        directory = Path.GetFullPath(directory);
        var tokenFile = Path.Combine(directory, "token.json");
        if (execCredential && tokenFile.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\'))
        {
            throw new ArgumentException($"An exec credential needs a directory without whitespace or quotes: {directory}", nameof(directory));
        }

        var path = Path.Combine(directory, "kubeconfig");
        if (execCredential)
        {
            Credentials.AddTokenFile(tokenFile);
            File.WriteAllText(path, Kubeconfig(tokenFile, @namespace, null));
        }
        else if (Options.RequireToken)
        {
            Credentials.AddWriter(path, token => Credentials.WriteAtomically(path, Kubeconfig(null, @namespace, token)));
        }
        else
        {
            File.WriteAllText(path, Kubeconfig(null, @namespace, null));
        }

        return path;
    }

    private string Kubeconfig(string? tokenFile, string @namespace, string? token)
    {
        var withUser = tokenFile is not null || token is not null;
        var yaml = new StringBuilder()
            .AppendLine("apiVersion: v1")
            .AppendLine("kind: Config")
            .AppendLine("clusters:")
            .AppendLine("- name: fake")
            .AppendLine("  cluster:")
            .AppendLine($"    server: {Quote(Url.ToString().TrimEnd('/'))}")
            .AppendLine("contexts:")
            .AppendLine("- name: fake")
            .AppendLine("  context:")
            .AppendLine("    cluster: fake")
            .AppendLine($"    namespace: {Quote(@namespace)}");
        if (withUser)
        {
            yaml.AppendLine("    user: fake");
        }

        yaml.AppendLine("current-context: fake");
        if (withUser)
        {
            yaml.AppendLine("users:").AppendLine("- name: fake").AppendLine("  user:");
            if (tokenFile is not null)
            {
                yaml.AppendLine("    exec:")
                    .AppendLine("      apiVersion: client.authentication.k8s.io/v1")
                    .AppendLine("      command: /bin/cat")
                    .AppendLine("      args:")
                    .AppendLine($"      - {Quote(tokenFile)}")
                    .AppendLine("      interactiveMode: Never");
            }
            else
            {
                yaml.AppendLine($"    token: {Quote(token!)}");
            }
        }
        else
        {
            yaml.AppendLine("users: []");
        }

        return yaml.ToString();
    }

    // A JSON string is a YAML double-quoted scalar.
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
