using System.Globalization;
using System.Text;

namespace Pipelines.Secrets;

/// <summary>
/// Decodes JSON string escapes (<c>\" \\ \/ \b \f \n \r \t \uXXXX</c>, hex in either case) in a line of
/// text, remembering where each decoded character came from, so that a secret a task printed as JSON —
/// in whatever escaping style its library chose — is found and masked in the original text.
/// </summary>
internal static class JsonEscapes
{
    /// <summary>The decoded text; character i came from the original's [Start[i], End[i]).</summary>
    public sealed record Decoded(string Text, int[] Start, int[] End);

    /// <summary>The decoded text with its map, or null when the text has no escape.</summary>
    public static Decoded? Decode(string text)
    {
        StringBuilder? decoded = null;
        List<int>? start = null;
        List<int>? end = null;
        for (var i = 0; i < text.Length; i++)
        {
            var length = EscapeAt(text, i, out var c);
            if (length == 0)
            {
                if (decoded is not null)
                {
                    decoded.Append(text[i]);
                    start!.Add(i);
                    end!.Add(i + 1);
                }

                continue;
            }

            if (decoded is null)
            {
                decoded = new StringBuilder(text.Length).Append(text, 0, i);
                start = [.. Enumerable.Range(0, i)];
                end = [.. Enumerable.Range(1, i)];
            }

            decoded.Append(c);
            start!.Add(i);
            end!.Add(i + length);
            i += length - 1;
        }

        return decoded is null ? null : new Decoded(decoded.ToString(), [.. start!], [.. end!]);
    }

    // The length of the escape at `i` (0 when there is none) and the character it stands for.
    private static int EscapeAt(string text, int i, out char c)
    {
        c = '\0';
        if (text[i] != '\\' || i + 1 >= text.Length)
        {
            return 0;
        }

        c = text[i + 1] switch
        {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            _ => '\0',
        };
        if (c != '\0')
        {
            return 2;
        }

        if (text[i + 1] == 'u' && i + 6 <= text.Length
            && ushort.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            c = (char)code;
            return 6;
        }

        return 0;
    }
}
