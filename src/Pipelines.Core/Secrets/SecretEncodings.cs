using System.Globalization;
using System.Text;

namespace Pipelines.Secrets;

/// <summary>
/// The forms of a secret value that <see cref="SecretMasker"/> looks for as they are (JSON escapes are
/// handled by decoding the text instead, see <see cref="JsonEscapes"/>).
/// </summary>
internal static class SecretEncodings
{
    /// <summary>The value, its lines, its base64 forms and its percent-encoded forms (duplicates possible).</summary>
    public static IEnumerable<string> Forms(string value)
    {
        yield return value;
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            foreach (var line in value.Split('\n'))
            {
                yield return line.TrimEnd('\r');
            }
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        foreach (var base64 in Base64(bytes))
        {
            yield return base64;
            var urlSafe = base64.Replace('+', '-').Replace('/', '_');
            if (!ReferenceEquals(urlSafe, base64))
            {
                yield return urlSafe;
            }
        }

        foreach (var escaped in Percent(value))
        {
            yield return escaped;
        }
    }

    /// <summary>
    /// Base64 of the value alone (with and without padding, which depends on what follows), and, for each of
    /// the three byte offsets the value can have inside a longer base64 text, the characters of the
    /// 3-byte groups that hold only the value's bytes (what is left of a group shared with other bytes
    /// differs with them).
    /// </summary>
    public static IEnumerable<string> Base64(byte[] bytes)
    {
        var alone = Convert.ToBase64String(bytes);
        yield return alone;
        yield return alone.TrimEnd('=');
        for (var skip = 0; skip < 3; skip++)
        {
            var whole = (bytes.Length - skip) / 3 * 3;
            if (whole >= 3)
            {
                yield return Convert.ToBase64String(bytes, skip, whole);
            }
        }
    }

    /// <summary>Percent-encoded forms, when the value has characters to encode: upper- and lower-case hex, space as %20 or +.</summary>
    public static IEnumerable<string> Percent(string value)
    {
        var upper = Uri.EscapeDataString(value);
        if (upper == value)
        {
            yield break;
        }

        yield return upper;
        var lower = LowerHex(upper);
        yield return lower;
        if (value.Contains(' ', StringComparison.Ordinal))
        {
            yield return upper.Replace("%20", "+", StringComparison.Ordinal);
            yield return lower.Replace("%20", "+", StringComparison.Ordinal);
        }
    }

    private static string LowerHex(string escaped)
    {
        var text = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            text.Append(escaped[i]);
            if (escaped[i] == '%' && i + 2 < escaped.Length)
            {
                text.Append(char.ToLower(escaped[i + 1], CultureInfo.InvariantCulture)).Append(char.ToLower(escaped[i + 2], CultureInfo.InvariantCulture));
                i += 2;
            }
        }

        return text.ToString();
    }
}
