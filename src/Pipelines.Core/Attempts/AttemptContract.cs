using System.Globalization;

namespace Pipelines.Attempts;

/// <summary>
/// What every runtime promises a task, in one place: the variable that names the output file, where that file is in a
/// container, and how large an output may be. The process runtime points the variable at a per-attempt file on the host;
/// Docker and Kubernetes at <see cref="OutputPath"/>.
/// </summary>
public static class AttemptContract
{
    /// <summary>The environment variable that holds the path of the output file. A task's own value for it is not used.</summary>
    public const string OutputVariable = "PIPELINES_OUTPUT";

    /// <summary>The folder of the output file in a container: a small volume of its own, writable under a read-only root filesystem.</summary>
    public const string OutputDirectory = "/pipelines";

    /// <summary>The output file in a container (on Kubernetes also the <c>terminationMessagePath</c>).</summary>
    public const string OutputPath = "/pipelines/output.json";

    /// <summary>The largest output, in UTF-8 bytes, on every runtime: Kubernetes truncates termination messages there.</summary>
    public const int MaxOutputBytes = 4096;

    /// <summary>Why an output of <paramref name="bytes"/> bytes is refused.</summary>
    public static string OutputTooLarge(long bytes) =>
        $"the output is {bytes.ToString(CultureInfo.InvariantCulture)} bytes; the limit is {MaxOutputBytes} bytes on every runtime (Kubernetes truncates termination messages there)";
}
