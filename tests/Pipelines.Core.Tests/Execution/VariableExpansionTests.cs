using Pipelines.Core.Tests.Execution.Process;
using Pipelines.Execution;

namespace Pipelines.Core.Tests.Execution;

/// <summary>Kubernetes' $(VAR) expansion, as the kubelet does it, on the local runtimes too.</summary>
public sealed class VariableExpansionTests : IDisposable
{
    private static readonly Dictionary<string, string> Vars = new() { ["NAME"] = "world", ["DIR"] = "/data/x" };

    private readonly ProcessTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

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

    [Fact]
    public async Task The_process_runtime_expands_references_in_env_values_and_args()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Render(t => t
            .Env("GREETING", "hello")
            .Env("MESSAGE", "$(GREETING) world, $(LATER)")
            .Env("LATER", "defined after")
            .Command("sh", "-c", "echo \"$MESSAGE\"; echo \"$1\"", "sh", "$(GREETING) from args, output at $(PIPELINES_OUTPUT)"));

        await _bed.RunAsync(attempt, sink);

        Assert.Equal("hello world, $(LATER)", sink.Lines[0]);
        Assert.StartsWith("hello from args, output at /", sink.Lines[1]);
        Assert.EndsWith("output.json", sink.Lines[1]);
    }
}
