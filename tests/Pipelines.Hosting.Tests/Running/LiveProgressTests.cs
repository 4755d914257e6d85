using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Hosting.Running;

namespace Pipelines.Hosting.Tests.Running;

public sealed class LiveProgressTests
{
    [Fact]
    public void A_frame_of_a_5000_task_run_draws_only_the_rows_the_terminal_has_room_for_those_that_matter_first()
    {
        var dag = Wide(5000);
        var view = new LiveProgress(dag);
        for (var i = 0; i < 300; i++)
        {
            view.TaskChanged($"t{i}", TaskState.Running, 1, null);
            view.TaskChanged($"t{i}", TaskState.Success, 1, null);
        }

        view.TaskChanged("t4000", TaskState.Running, 1, null);
        view.TaskChanged("t4000", TaskState.Failed, 1, "exit code 3");
        for (var i = 1000; i < 1016; i++)
        {
            view.TaskChanged($"t{i}", TaskState.Running, 2, null);
        }

        view.Log("t1000", 2, "copying rows");

        var frame = view.Render(room: 20);

        Assert.Equal(20, frame.Rows.Count);
        var ids = frame.Rows.Select(r => Text(r[0])).ToList();
        Assert.Equal(Enumerable.Range(1000, 16).Select(i => $"t{i}").Order(), ids.Take(16).Order());
        Assert.Equal("t4000", ids[16]);
        Assert.Equal(["t299", "t298", "t297"], ids.Skip(17));
        var caption = frame.Caption!.Text;
        Assert.EndsWith("301/5000 done · 16 running · 300 success · 1 failed · 297 more not shown", caption);
    }

    [Fact]
    public void A_dag_that_fits_is_shown_whole_in_its_order()
    {
        var dag = new DagBuilder().Id("small");
        dag.Container("extract", "busybox:stable").Command("true").Then(dag.Container("load", "busybox:stable").Command("true"));
        var built = dag.Build();
        var view = new LiveProgress(built);
        view.TaskChanged("extract", TaskState.Running, 1, null);

        var frame = view.Render(room: 20);

        Assert.Equal(["extract", "load"], frame.Rows.Select(r => Text(r[0])));
        Assert.Equal("none", Text(frame.Rows.Last()[1]));
    }

    private static Dag Wide(int count)
    {
        var dag = new DagBuilder().Id("wide");
        for (var i = 0; i < count; i++)
        {
            dag.Container($"t{i}", "busybox:stable").Command("true");
        }

        return dag.Build();
    }

    private static string Text(Spectre.Console.Rendering.IRenderable renderable)
    {
        var writer = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
            Out = new Spectre.Console.AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 500;
        console.Write(renderable);
        return writer.ToString().Trim();
    }
}
