using System.Text.RegularExpressions;
using Pipelines.Templating;
using Pipelines.Templating.Parsing;

namespace Pipelines.Validation;

/// <summary>
/// Container image references as Docker, containerd and so the kubelet parse them — the grammar of
/// <c>distribution/reference</c>: <c>[host[:port]/]path[:tag][@digest]</c>, where the path is lowercase.
/// Kubernetes itself only refuses whitespace around the image; a pod with any other bad reference is
/// accepted and then never starts (<c>InvalidImageName</c>), so the grammar is checked before anything starts.
/// </summary>
public static partial class ImageReference
{
    /// <summary>What a valid reference looks like, for messages.</summary>
    public const string Expected =
        "[registry[:port]/]path[:tag][@digest], such as registry.localhost/etl/runner:1.0.0 — path components of lowercase letters and digits " +
        "joined by '.', '_', '__' or dashes and separated by '/'; a tag of at most 128 letters, digits, '_', '.' and '-' not starting with '.' or '-'; " +
        "a digest such as sha256:<64 hex digits>";

    // distribution/reference's NameTotalLengthMax: the repository name, registry included, not the tag.
    private const int NameMaxLength = 255;

    // The grammar of distribution/reference (regexp.go), term by term; Go's \w is ASCII, written out here.
    private const string Alphanumeric = "[a-z0-9]+";
    private const string Separator = "(?:[._]|__|[-]+)";
    private const string PathComponent = Alphanumeric + "(?:" + Separator + Alphanumeric + ")*";
    private const string DomainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainName = DomainNameComponent + "(?:\\." + DomainNameComponent + ")*";
    private const string Ipv6Address = "\\[(?:[a-fA-F0-9:]+)\\]";
    private const string DomainAndPort = "(?:" + DomainName + "|" + Ipv6Address + ")(?::[0-9]+)?";
    private const string Name = "(?:" + DomainAndPort + "/)?" + PathComponent + "(?:/" + PathComponent + ")*";
    private const string Tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    private const string Digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private const string Reference = Name + "(?::" + Tag + ")?(?:@" + Digest + ")?";

    // A DAG names few images for many tasks, and every attempt's rendered image is checked again: the
    // verdicts are kept, up to a bound.
    private const int MaxChecked = 4096;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Verdict> Checked = new(StringComparer.Ordinal);

    // The same grammar, for text with templates: can its literal text still be part of a reference?
    private static readonly Lazy<PatternAutomaton> Automaton = new(() => PatternAutomaton.Parse(Reference));

    /// <summary>True when <paramref name="reference"/> is an image reference Docker and containerd accept.</summary>
    public static bool IsValid(string? reference) => reference is not null && Problem(reference, templated: false) is null;

    /// <summary>
    /// Why <paramref name="image"/> is not an image reference, or null when it is. Text that holds templates
    /// is checked for what its literal text allows: null when some rendering of it could be valid.
    /// </summary>
    internal static string? Problem(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Checked.TryGetValue(image, out var known))
        {
            return known.Problem;
        }

        var problem = Problem(image, TemplateText.MayContainTemplate(image));
        if (Checked.Count < MaxChecked)
        {
            Checked.TryAdd(image, new(problem));
        }

        return problem;
    }

    private static string? Problem(string image, bool templated)
    {
        if (templated)
        {
            var parts = TemplateScanner.Scan(image);
            if (parts.Any(p => p.Kind == ScannedPartKind.Error))
            {
                return null; // a template syntax error, reported for the field already
            }

            if (Automaton.Value.CanMatch(parts.Select(p => p.Kind == ScannedPartKind.Literal ? p.Text : null)))
            {
                return null;
            }

            return parts.Any(p => p.Kind == ScannedPartKind.Literal && p.Text.Any(char.IsWhiteSpace))
                ? $"'{image}' holds whitespace outside its templates; an image reference has none"
                : $"'{image}' cannot be an image reference, whatever its templates render; write {Expected}";
        }

        if (Whole().IsMatch(image))
        {
            var name = NameOf(image);
            if (name.Length > NameMaxLength)
            {
                return $"the repository name of '{image}' has {name.Length} characters; at most {NameMaxLength} are allowed";
            }

            // Docker and containerd read 64 hex digits alone as an image id, not a name.
            return image.Length == 64 && image.All(char.IsAsciiHexDigitLower)
                ? $"'{image}' is 64 hex digits, which Docker and containerd read as an image id, not a name; name the repository (name@sha256:<digest> pins a digest)"
                : null;
        }

        var trimmed = image.Trim();
        if (trimmed.Length != image.Length)
        {
            return $"'{image}' has whitespace around it; an image reference has none" + (Whole().IsMatch(trimmed) ? $": write '{trimmed}'" : string.Empty);
        }

        if (image.Any(char.IsWhiteSpace))
        {
            return $"'{image}' holds whitespace; an image reference has none: write {Expected}";
        }

        if (image.EndsWith(':'))
        {
            return $"'{image}' has an empty tag: write one after ':' ('{image}1.0.0'), or leave ':' out for the default tag, latest";
        }

        // Only the path must be lowercase (a registry host, a tag and a digest may hold uppercase).
        return Whole().IsMatch(image.ToLowerInvariant())
            ? $"'{image}' has uppercase letters in its repository path; repository paths are lowercase"
            : $"'{image}' is not an image reference; write {Expected}";
    }

    // The name of a valid reference: before the digest, and before a tag (a ':' with no '/' after it;
    // the ':' of a registry port is always followed by the path).
    private static string NameOf(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? reference : reference[..at];
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    // \z, not $: .NET's $ also matches before a final newline.
    [GeneratedRegex("^" + Reference + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    private sealed record Verdict(string? Problem);
}
