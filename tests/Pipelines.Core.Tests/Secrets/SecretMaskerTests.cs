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
    public void Values_shorter_than_three_characters_are_not_masked()
    {
        var masker = new SecretMasker();
        masker.Add("ab");
        masker.Add("");
        masker.Add(null);

        Assert.True(masker.IsEmpty);
        Assert.Equal("ab abc", masker.Mask("ab abc"));
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
}
