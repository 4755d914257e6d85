using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipelines.Secrets;

namespace Pipelines.Core.Tests.Secrets;

public sealed class SecretMaskerTests
{
    [Fact]
    public void Without_secrets_the_same_instance_comes_back()
    {
        var masker = new SecretMasker();
        var text = "nothing to hide " + Guid.NewGuid();

        Assert.True(masker.IsEmpty);
        Assert.Same(text, masker.Mask(text));
    }

    [Fact]
    public void Every_occurrence_is_masked_and_text_without_one_is_the_same_instance()
    {
        var masker = new SecretMasker();
        masker.Add("hunter2");
        var clean = "no secret here " + Guid.NewGuid();

        Assert.Equal("a *** b ***", masker.Mask("a hunter2 b hunter2"));
        Assert.Same(clean, masker.Mask(clean));
    }

    [Fact]
    public void Values_shorter_than_three_characters_are_not_masked_and_are_named()
    {
        var masker = new SecretMasker();
        Assert.False(masker.Add("ab", "secret 'db' key 'PIN'"));
        Assert.True(masker.Add("", "secret 'db' key 'EMPTY'"));
        masker.Add(null);

        Assert.True(masker.IsEmpty);
        Assert.Equal("ab abc", masker.Mask("ab abc"));
        Assert.Equal(["secret 'db' key 'PIN'"], masker.TooShort);
    }

    [Fact]
    public void Longer_values_are_masked_first()
    {
        var masker = new SecretMasker();
        masker.Add("pass");
        masker.Add("password123");

        Assert.Equal("*** ***", masker.Mask("password123 pass"));
    }

    [Fact]
    public void Each_line_of_a_multi_line_value_is_masked_in_a_line_of_its_own()
    {
        var masker = new SecretMasker();
        masker.Add("first-line\r\nsecond-line\nx");

        Assert.Equal("key: ***", masker.Mask("key: second-line"));
        Assert.Equal("key: ***", masker.Mask("key: first-line")); // read from a CRLF file: the line has no '\r'
        Assert.Equal("***", masker.Mask("first-line\r\nsecond-line\nx"));
    }

    [Fact]
    public async Task Adding_and_masking_at_once_is_safe()
    {
        var masker = new SecretMasker();
        var values = Enumerable.Range(0, 200).Select(i => $"secret-{i:D4}").ToList();

        await Task.WhenAll(
            Task.Run(() => Parallel.ForEach(values, masker.Add), TestContext.Current.CancellationToken),
            Task.Run(() => Parallel.For(0, 2000, i => masker.Mask($"line {i} secret-0001")), TestContext.Current.CancellationToken));

        Assert.Equal(string.Join(" ", values.Select(_ => "***")), masker.Mask(string.Join(" ", values)));
    }

    [Theory]
    [InlineData("q\"uote\\back")]
    [InlineData("pässwörd-ünïcode")]
    [InlineData("tab\there<&>'+`")]
    [InlineData("line1\nline2-long")]
    [InlineData("emoji-🔑-key")]
    public void A_value_written_as_json_by_any_common_library_is_masked(string secret)
    {
        var masker = new SecretMasker();
        masker.Add(secret);
        var forms = new[]
        {
            JsonSerializer.Serialize(secret), // .NET default: \u0022, \u00E4 (upper-case hex)
            JsonSerializer.Serialize(secret, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), // \", raw ä
            PythonJsonDumps(secret, ensureAscii: true), // json.dumps: \", \u00e4 (lower-case hex)
            PythonJsonDumps(secret, ensureAscii: false),
        };

        foreach (var json in forms)
        {
            var line = $"{{\"password\": {json}, \"user\": \"etl\"}}";
            Assert.Equal("{\"password\": \"***\", \"user\": \"etl\"}", masker.Mask(line));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Base64_of_a_value_is_masked_alone_and_inside_longer_text_at_any_offset(int prefixLength)
    {
        const string secret = "p4ss-w0rd-e2e-5ecret";
        var masker = new SecretMasker();
        masker.Add(secret);
        var prefix = new string('u', prefixLength);
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + secret + ":tail"));

        var masked = masker.Mask("Authorization: Basic " + encoded);

        Assert.Contains("***", masked, StringComparison.Ordinal);
        // Every 4-character group that encodes secret bytes only is gone.
        var first = (prefixLength + 2) / 3;
        var last = (prefixLength + secret.Length) / 3;
        for (var group = first; group < last; group++)
        {
            Assert.DoesNotContain(encoded.Substring(group * 4, 4), masked, StringComparison.Ordinal);
        }

        Assert.Equal("***", masker.Mask(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))));
        Assert.Equal("***", masker.Mask(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).Replace('+', '-').Replace('/', '_').TrimEnd('=')));
    }

    [Fact]
    public void Percent_encoded_values_are_masked()
    {
        var masker = new SecretMasker();
        masker.Add("p@ss word/1");

        Assert.Equal("url=https://u:***@db", masker.Mask("url=https://u:p%40ss%20word%2F1@db"));
        Assert.Equal("form=***&x=1", masker.Mask("form=p%40ss+word%2f1&x=1"));
    }

    [Fact]
    public void The_source_of_a_value_is_found_in_any_form_but_never_shown()
    {
        var masker = new SecretMasker();
        masker.Add("hunter22", "secret 'db' key 'PASSWORD'");

        Assert.Equal("secret 'db' key 'PASSWORD'", masker.FindIn("x hunter22 y"));
        Assert.Equal("secret 'db' key 'PASSWORD'", masker.FindIn("x " + Convert.ToBase64String(Encoding.UTF8.GetBytes("hunter22"))));
        Assert.Equal("secret 'db' key 'PASSWORD'", masker.FindIn("x hunter\u0032\u0032"));
        Assert.Null(masker.FindIn("hunter2"));
        Assert.Equal("secret 'db' key 'PASSWORD'", masker.SourceOfValue("hunter22"));
        Assert.Null(masker.SourceOfValue("hunter222"));
    }

    [Fact]
    public void A_cut_never_falls_inside_a_secret()
    {
        var masker = new SecretMasker();
        masker.Add("0123456789");
        var text = "abcde0123456789xyz";

        Assert.Equal(5, masker.SafeCut(text, 8));
        Assert.Equal(3, masker.SafeCut(text, 3));
        Assert.Equal(10, masker.SafeCut("0123456789xyz", 4));
        Assert.Equal(15, masker.SafeCut(text, 15));
    }

    // What Python's json.dumps writes for a string: \" \\ \n \r \t \b \f, other control characters and
    // (with ensure_ascii, its default) every non-ASCII UTF-16 unit as \uxxxx in lower-case hex.
    private static string PythonJsonDumps(string value, bool ensureAscii)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                _ when c < 0x20 || (ensureAscii && c > 0x7e) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
