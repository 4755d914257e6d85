using System.Net;
using System.Net.Sockets;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// The API server's syntax rules that the Pod schema does not check (it checks shapes and types
/// only): label keys and values, secret keys, relative paths, IP addresses.
/// </summary>
internal static class KubernetesRules
{
    /// <summary>What a label key looks like, for messages.</summary>
    public const string QualifiedNameExpected =
        "an optional DNS subdomain prefix and '/', then a name of at most 63 letters, digits, '-', '_' and '.' that starts and ends with a letter or digit";

    /// <summary>What a label value looks like, for messages.</summary>
    public const string LabelValueExpected =
        "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)";

    /// <summary>A label or annotation key: <c>[prefix/]name</c>.</summary>
    public static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && !KubernetesNames.IsDnsSubdomain(key[..slash]))
        {
            return false;
        }

        return name.Length is > 0 and <= 63
            && char.IsAsciiLetterOrDigit(name[0])
            && char.IsAsciiLetterOrDigit(name[^1])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }

    /// <summary>A key of a secret or config map: letters, digits, '-', '_' and '.' (at most 253).</summary>
    public static bool IsConfigKey(string key) =>
        key.Length is > 0 and <= 253 && key is not ("." or "..") && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>A relative path without a <c>..</c> segment (sub paths, secret item paths).</summary>
    public static bool IsSafeRelativePath(string path) =>
        !path.StartsWith('/') && !path.Split('/').Contains("..");

    /// <summary>An IPv4 address in dotted form, or an IPv6 address: what <c>hostAliases[].ip</c> accepts.</summary>
    public static bool IsIpAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':', StringComparison.Ordinal) : text.Split('.').Length == 4);
}
