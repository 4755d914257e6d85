using System.Text;

namespace Pipelines.Testing;

/// <summary>A readable line diff (longest common subsequence), in unified style with 3 lines of context.</summary>
internal static class LineDiff
{
    public static string Unified(string expected, string actual, int context = 3, int maxLines = 200)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var ops = Diff(a, b);
        var text = new StringBuilder();
        var lines = 0;
        var skipped = false;
        for (var i = 0; i < ops.Count; i++)
        {
            var (kind, line) = ops[i];
            var near = false;
            for (var j = Math.Max(0, i - context); j <= Math.Min(ops.Count - 1, i + context) && !near; j++)
            {
                near = ops[j].Kind != ' ';
            }

            if (!near)
            {
                skipped = true;
                continue;
            }

            if (skipped)
            {
                text.Append("...\n");
                skipped = false;
            }

            if (++lines > maxLines)
            {
                text.Append("... (diff cut)\n");
                return text.ToString();
            }

            text.Append(kind).Append(' ').Append(line).Append('\n');
        }

        if (skipped)
        {
            text.Append("...\n");
        }

        return text.ToString();
    }

    private static List<(char Kind, string Line)> Diff(string[] a, string[] b)
    {
        // Lengths of common subsequences of suffixes, then one walk from the start.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<(char, string)>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                ops.Add((' ', a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                ops.Add(('-', a[x++]));
            }
            else
            {
                ops.Add(('+', b[y++]));
            }
        }

        while (x < a.Length)
        {
            ops.Add(('-', a[x++]));
        }

        while (y < b.Length)
        {
            ops.Add(('+', b[y++]));
        }

        return ops;
    }
}
