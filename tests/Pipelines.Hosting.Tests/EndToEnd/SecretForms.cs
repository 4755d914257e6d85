using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>The forms in which a leaked secret would show: what a scan of output and files looks for.</summary>
public static class SecretForms
{
    /// <summary>
    /// The value; JSON-escaped as .NET and Python write it; base64 alone; and the characters of
    /// <c>base64(prefix + value)</c> that encode the value's bytes only, for prefixes of every length mod 3.
    /// </summary>
    public static IEnumerable<string> Of(string secret)
    {
        yield return secret;
        yield return JsonSerializer.Serialize(secret)[1..^1];
        yield return JsonSerializer.Serialize(secret, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1];
        var bytes = Encoding.UTF8.GetBytes(secret);
        yield return Convert.ToBase64String(bytes).TrimEnd('=');
        for (var skip = 0; skip < 3; skip++)
        {
            var whole = (bytes.Length - skip) / 3 * 3;
            yield return Convert.ToBase64String(bytes, skip, whole);
        }
    }
}
