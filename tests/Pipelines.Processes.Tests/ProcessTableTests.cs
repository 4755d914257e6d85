using System.Text;
using Pipelines.Execution;

namespace Pipelines.Processes.Tests;

public sealed class ProcessTableTests
{
    [Fact]
    public void A_stat_line_is_read_after_the_command_name_even_when_it_holds_spaces_and_parentheses()
    {
        const string Stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615";

        var stat = ProcessTable.Parse(4242, Stat);

        Assert.Equal(new ProcessStat(4242, 'S', 4242, 987654), stat);
        Assert.True(stat!.Value.IsGroupLeader);
        Assert.False(stat.Value.HasExited);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 (x)")]
    [InlineData("1 (x) S 1 2")]
    public void A_short_or_broken_stat_line_is_null(string stat) =>
        Assert.Null(ProcessTable.Parse(1, stat));

    [Fact]
    public void This_process_has_a_stat_with_a_start_time()
    {
        Assert.True(OperatingSystem.IsLinux());
        if (OperatingSystem.IsLinux())
        {
            var stat = ProcessTable.TryRead(Environment.ProcessId);
            Assert.NotNull(stat);
            Assert.True(stat.Value.StartTime > 0);
            Assert.Null(ProcessTable.TryRead(int.MaxValue));
        }
    }

    [Theory]
    [InlineData("A=1\0PIPELINES_ATTEMPT=d/r/t/1\0B=2\0", true)]
    [InlineData("PIPELINES_ATTEMPT=d/r/t/1", true)]
    [InlineData("PIPELINES_ATTEMPT=d/r/t/12\0", false)]
    [InlineData("XPIPELINES_ATTEMPT=d/r/t/1\0", false)]
    [InlineData("", false)]
    public void An_environment_entry_matches_only_whole(string environ, bool expected) =>
        Assert.Equal(expected, ProcessTable.HasEntry(Encoding.UTF8.GetBytes(environ), Encoding.UTF8.GetBytes("PIPELINES_ATTEMPT=d/r/t/1")));

    [Theory]
    [InlineData("pid:12:start:345", true)]
    [InlineData("pid:12:start:x", false)]
    [InlineData("pid:-1:start:3", false)]
    [InlineData("container:abc", false)]
    [InlineData(null, false)]
    public void A_handle_round_trips(string? text, bool valid)
    {
        Assert.Equal(valid, ProcessHandle.TryParse(text, out var handle));
        if (valid)
        {
            Assert.Equal(text, handle.ToString());
        }
    }
}
