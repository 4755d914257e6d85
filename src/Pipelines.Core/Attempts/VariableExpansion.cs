using System.Text;

namespace Pipelines.Attempts;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> references, expanded the way the kubelet expands them, so that a
/// command written for a pod means the same on a local runtime: <c>$(NAME)</c> becomes the
/// variable's value when it is defined and stays as written when it is not; <c>$$</c> is a literal
/// <c>$</c> (so <c>$$(NAME)</c> stays <c>$(NAME)</c>, and a shell's <c>$$</c> needs <c>$$$$</c>, as
/// in a pod); any other <c>$</c> is kept. Env values see only the variables defined before them;
/// command and args see all of them.
/// </summary>
public static class VariableExpansion
{
    /// <summary>
    /// True when expanding <paramref name="input"/> would change it, given the variables
    /// <paramref name="isDefined"/> knows: a reference to a defined variable, or a <c>$$</c> escape.
    /// A runtime that does not expand (Docker) then runs something other than a pod would.
    /// </summary>
    public static bool Changes(string input, Func<string, bool> isDefined)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(isDefined);
        if (input.Contains("$$", StringComparison.Ordinal))
        {
            return true;
        }

        var changes = false;
        Expand(input, name =>
        {
            changes |= isDefined(name);
            return null;
        });
        return changes;
    }

    /// <summary>Expands the references in <paramref name="input"/> with <paramref name="lookup"/>.</summary>
    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(lookup);
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var text = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                text.Append(input[i]);
                continue;
            }

            var next = input[i + 1];
            var close = next == '(' ? input.IndexOf(')', i + 2) : -1;
            if (next == '$')
            {
                text.Append('$');
                i++;
            }
            else if (close > 0)
            {
                var name = input[(i + 2)..close];
                text.Append(lookup(name) ?? $"$({name})");
                i = close;
            }
            else
            {
                text.Append('$').Append(next);
                i++;
            }
        }

        return text.ToString();
    }
}
