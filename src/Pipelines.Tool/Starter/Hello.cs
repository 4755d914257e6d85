using Pipelines;

namespace MyPipelines;

/// <summary>
/// A pipeline: a public class with a parameterless constructor that implements <see cref="IPipeline"/>; the host
/// program finds every one in its assembly. Run it with <c>pipelines run hello --date 2026-11-25</c>: on the
/// embedded process runtime each task's command runs on this machine; on Docker or Kubernetes, in its image.
/// </summary>
public sealed class Hello : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("hello")
           .Description("Greets, then reads the greeting's output.")
           .Schedule("@daily");

        // A task writes a JSON object to $PIPELINES_OUTPUT; tasks downstream read it in templates.
        var greet = dag.Container("greet", "busybox:stable")
            .Command("sh", "-c", "echo hello << ds >>; echo '{\"n\": 1}' > \"$PIPELINES_OUTPUT\"");

        dag.Container("after", "busybox:stable")
            .Command("echo", "greet said n=<< tasks.greet.output.n >>")
            .DependsOn(greet);
    }
}
