using Pipelines.Attempts;

namespace Pipelines.Core.Tests.Attempts;

/// <summary>Kubernetes' $(VAR) expansion, as the kubelet does it, on the local runtimes too.</summary>
public sealed class VariableExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new() { ["NAME"] = "world", ["DIR"] = "/data/x" };

    [Theory]
    [InlineData("hello $(NAME)", "hello world")]
    [InlineData("$(DIR)/out.csv", "/data/x/out.csv")]
    [InlineData("$(MISSING) stays", "$(MISSING) stays")]
    [InlineData("$$(NAME) is escaped", "$(NAME) is escaped")]
    [InlineData("cost: $$5", "cost: $5")]
    [InlineData("$HOME and $", "$HOME and $")]
    [InlineData("unclosed $(NAME", "unclosed $(NAME")]
    [InlineData("no dollar", "no dollar")]
    public void References_expand_like_the_kubelet(string input, string expected) =>
        Assert.Equal(expected, VariableExpansion.Expand(input, Vars.GetValueOrDefault));

    [Theory]
    [InlineData("$(NAME) here", true)]
    [InlineData("$(UNDEFINED) and $(date +%s)", false)]
    [InlineData("pid $$", true)]
    [InlineData("$HOME", false)]
    public void Changes_says_whether_expansion_would_alter_the_text(string input, bool changes) =>
        Assert.Equal(changes, VariableExpansion.Changes(input, Vars.ContainsKey));
}
