using System.Text;

namespace Pipelines.Templating.Parsing;

/// <summary>
/// Splits a field text into literal text and <c>&lt;&lt; expr &gt;&gt;</c> expressions.
/// </summary>
/// <remarks>
/// <para><c>&lt;&lt;</c> opens an expression; the next <c>&gt;&gt;</c> that is not inside a string literal closes it.
/// String literals are <c>"..."</c> and <c>'...'</c> (a backslash escapes the next character) and Scriban's
/// verbatim <c>`...`</c> (no escapes), so <c>&lt;&lt; "a&gt;&gt;b" &gt;&gt;</c> is one expression.</para>
/// <para>Escape: <c>\&lt;&lt;</c> in literal text produces <c>&lt;&lt;</c> and opens nothing (shell heredocs:
/// <c>cat \&lt;&lt;EOF &gt;&gt; out.txt</c> renders <c>cat &lt;&lt;EOF &gt;&gt; out.txt</c>; <c>\&lt;&lt;&lt;</c> renders
/// <c>&lt;&lt;&lt;</c>). A backslash anywhere else is kept as is. For a backslash right before an expression write
/// <c>&lt;&lt; "\\" &gt;&gt;&lt;&lt; ds &gt;&gt;</c>. Scriban's own <c>{{ }}</c> is never active.</para>
/// </remarks>
internal static class TemplateScanner
{
    internal const string UnterminatedMessage =
        "'<<' opens an expression but no '>>' closes it (a '>>' inside a string literal does not close); " +
        "write '\\<<' for a literal '<<'";

    /// <summary>True when the text has <c>&lt;&lt;</c> (an expression or the <c>\&lt;&lt;</c> escape). No allocation.</summary>
    public static bool MayContainTemplate(string text) => text.Contains("<<", StringComparison.Ordinal);

    /// <summary>Scans a text that <see cref="MayContainTemplate"/> accepted.</summary>
    public static List<ScannedPart> Scan(string text)
    {
        var parts = new List<ScannedPart>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && IsOpen(text, i + 1))
            {
                literal.Append("<<");
                i += 3;
                continue;
            }

            if (!IsOpen(text, i))
            {
                literal.Append(c);
                i++;
                continue;
            }

            Flush(literal, parts);
            var start = i + 2;
            var close = FindClose(text, start);
            if (close < 0)
            {
                parts.Add(ScannedPart.Error(text[start..].Trim(), UnterminatedMessage));
                return parts;
            }

            parts.Add(ScannedPart.Expression(text[start..close]));
            i = close + 2;
        }

        Flush(literal, parts);
        return parts;
    }

    private static bool IsOpen(string text, int i) => i + 1 < text.Length && text[i] == '<' && text[i + 1] == '<';

    private static void Flush(StringBuilder literal, List<ScannedPart> parts)
    {
        if (literal.Length > 0)
        {
            parts.Add(ScannedPart.Literal(literal.ToString()));
            literal.Clear();
        }
    }

    // Index of the closing ">>", skipping string literals; -1 when there is none.
    private static int FindClose(string text, int start)
    {
        for (var j = start; j < text.Length; j++)
        {
            switch (text[j])
            {
                case '"' or '\'':
                    j = SkipQuoted(text, j);
                    break;
                case '`':
                    j = text.IndexOf('`', j + 1);
                    break;
                case '>' when j + 1 < text.Length && text[j + 1] == '>':
                    return j;
            }

            if (j < 0)
            {
                return -1;
            }
        }

        return -1;
    }

    // Index of the quote that ends the literal opened at 'open'; -1 when unterminated.
    private static int SkipQuoted(string text, int open)
    {
        var quote = text[open];
        for (var k = open + 1; k < text.Length; k++)
        {
            if (text[k] == '\\')
            {
                k++;
            }
            else if (text[k] == quote)
            {
                return k;
            }
        }

        return -1;
    }
}
