using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pipelines.Tool;

/// <summary>The <c>dotnet</c> command this tool runs on, and a way to run it with its output captured.</summary>
internal static class Dotnet
{
    /// <summary>
    /// The <c>dotnet</c> executable: the one the SDK names for its child processes (<c>DOTNET_HOST_PATH</c>), else the
    /// one whose runtime runs this tool, else <c>dotnet</c> from <c>PATH</c>.
    /// </summary>
    public static string Executable { get; } = Find();

    /// <summary>Runs <c>dotnet args</c> in <paramref name="workingDirectory"/> to its end; stdout and stderr as one text.</summary>
    public static async Task<(int ExitCode, string Output)> CaptureAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start.");
        var output = new System.Text.StringBuilder();
        var gate = new object();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        lock (gate)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // The shared runtime is <root>/shared/Microsoft.NETCore.App/<version>/; the muxer is <root>/dotnet.
        var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        var muxer = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", name));
        return File.Exists(muxer) ? muxer : "dotnet";
    }
}
