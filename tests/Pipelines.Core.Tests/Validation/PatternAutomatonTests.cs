using Pipelines.Validation;

namespace Pipelines.Core.Tests.Validation;

/// <summary>The automaton behind templated checks: a regex subset, and holes that may become any text.</summary>
public sealed class PatternAutomatonTests
{
    [Theory]
    [InlineData("ab|c+", "ab", true)]
    [InlineData("ab|c+", "ccc", true)]
    [InlineData("ab|c+", "abc", false)]
    [InlineData("ab|c+", "", false)]
    [InlineData("a{2}", "aa", true)]
    [InlineData("a{2}", "a", false)]
    [InlineData("a{2}", "aaa", false)]
    [InlineData("ab?c", "ac", true)]
    [InlineData("ab?c", "abbc", false)]
    [InlineData("[a-c_-]+\\.x", "a_-b.x", true)]
    [InlineData("[a-c_-]+\\.x", "ad.x", false)]
    [InlineData("(?:[0-9]{3,}:)?z", "123:z", true)]
    [InlineData("(?:[0-9]{3,}:)?z", "12:z", false)]
    public void Without_holes_it_matches_as_the_regex_does(string pattern, string text, bool matches)
    {
        Assert.Equal(matches, PatternAutomaton.Parse(pattern).CanMatch([text]));
        Assert.Equal(matches, System.Text.RegularExpressions.Regex.IsMatch(text, $"^(?:{pattern})\\z"));
    }

    [Theory]
    [InlineData(true, "ab", null, "1")]
    [InlineData(true, null, null)]
    [InlineData(true, null, ":12")]
    [InlineData(false, "AB", null)]
    [InlineData(false, null, ":x")]
    [InlineData(false, "ab", null, ":")]
    public void A_hole_may_become_any_text(bool possible, params string?[] parts) =>
        Assert.Equal(possible, PatternAutomaton.Parse("[a-z]+:[0-9]{2}").CanMatch(parts));

    [Theory]
    [InlineData("\\w+")]
    [InlineData("(a)")]
    [InlineData("a.b")]
    [InlineData("^a")]
    public void Syntax_outside_the_subset_is_refused_rather_than_misread(string pattern) =>
        Assert.Throws<NotSupportedException>(() => PatternAutomaton.Parse(pattern));
}
