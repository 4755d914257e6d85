using System.Text;

namespace Pipelines.Processes;

/// <summary>
/// Rewrites container mount paths in a string to the host directories they map to, because a local
/// process cannot see <c>/data</c>. The rule, applied to command, args, env values and working dir:
/// <para>
/// An occurrence of a mount path <c>M</c> (written without a trailing <c>/</c>) is replaced when
/// (1) it starts the string or follows whitespace or one of <c>= : , ; ' " ` ( [ { &lt; &gt; | &amp; @</c>, or starts
/// a shell parameter's default (<c>${NAME:-/data}</c>, <c>${NAME-…}</c>, <c>${NAME:+…}</c>, <c>${NAME:?…}</c>), and
/// (2) it ends the string, or is followed by <c>/</c>, or by a character that cannot continue a file
/// name — anything but a letter, a digit and <c>. _ - ~ + % # $</c>.
/// </para>
/// <para>
/// The string is scanned once from left to right; at one position the longest matching mount path
/// wins (nested mounts), and replaced text is not scanned again. So for mount <c>/data</c>:
/// <c>/data</c>, <c>/data/x</c>, <c>--out=/data/x</c>, <c>cat /data/a.csv &gt; /data/b.csv</c>,
/// <c>/app:/data/lib</c> and <c>"/data"</c> are rewritten; <c>/database</c>, <c>/data.csv</c>,
/// <c>/srv/data</c> and <c>x/data</c> are not. A host directory that contains spaces is inserted as it
/// is (unquoted), so keep the project root free of spaces when tasks run shell commands.
/// </para>
/// </summary>
internal sealed class MountPathRewriter
{
    private const string Before = "=:,;'\"`([{<>|&@";
    private const string NameCharacters = "._-~+%#$";

    // Longest mount path first, so nested mounts resolve to the innermost.
    private readonly (string MountPath, string HostPath)[] _mounts;

    /// <summary>Creates a rewriter for mount path → host path pairs; mount paths are absolute and not <c>/</c>.</summary>
    public MountPathRewriter(IEnumerable<(string MountPath, string HostPath)> mounts)
    {
        _mounts = [.. mounts
            .Select(m => (Normalise(m.MountPath), m.HostPath))
            .OrderByDescending(m => m.Item1.Length)
            .ThenBy(m => m.Item1, StringComparer.Ordinal)];
    }

    /// <summary>A rewriter that changes nothing.</summary>
    public static MountPathRewriter None { get; } = new([]);

    /// <summary>Mount path without its trailing slashes: <c>/data/</c> → <c>/data</c>.</summary>
    public static string Normalise(string mountPath) => mountPath.Length > 1 ? mountPath.TrimEnd('/') : mountPath;

    /// <summary>Applies the rule; returns the same instance when nothing matched.</summary>
    public string Rewrite(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_mounts.Length == 0 || !value.Contains('/', StringComparison.Ordinal))
        {
            return value;
        }

        StringBuilder? rewritten = null;
        var copied = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '/' || !(i == 0 || char.IsWhiteSpace(value[i - 1]) || Before.Contains(value[i - 1], StringComparison.Ordinal) || StartsShellDefault(value, i)))
            {
                continue;
            }

            foreach (var (mountPath, hostPath) in _mounts)
            {
                var end = i + mountPath.Length;
                if (value.AsSpan(i).StartsWith(mountPath, StringComparison.Ordinal) && (end == value.Length || EndsName(value[end])))
                {
                    rewritten ??= new StringBuilder(value.Length + 64);
                    rewritten.Append(value, copied, i - copied).Append(hostPath);
                    copied = end;
                    i = end - 1;
                    break;
                }
            }
        }

        return rewritten is null ? value : rewritten.Append(value, copied, value.Length - copied).ToString();
    }

    // A shell parameter's default or alternative value: ${NAME:-/data}, ${NAME-/data}, ${NAME:+/data},
    // ${NAME:?/data} (${NAME:=/data} is caught by '=').
    private static bool StartsShellDefault(string value, int slash)
    {
        var j = slash - 1;
        if (j < 0 || value[j] is not ('-' or '+' or '?' or '='))
        {
            return false;
        }

        if (j > 0 && value[j - 1] == ':')
        {
            j--;
        }

        var nameEnd = j;
        while (j > 0 && (char.IsAsciiLetterOrDigit(value[j - 1]) || value[j - 1] == '_'))
        {
            j--;
        }

        return j < nameEnd && j >= 2 && value[j - 1] == '{' && value[j - 2] == '$';
    }

    private static bool EndsName(char next) => next == '/' || !(char.IsLetterOrDigit(next) || NameCharacters.Contains(next, StringComparison.Ordinal));
}
