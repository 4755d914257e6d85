using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipelines.Tool;

/// <summary>
/// Builds the pipelines project (quietly; its output only when it fails), finds its assembly and runs the host in it
/// (<c>dotnet exec</c>) with the arguments: standard input, output and error are the tool's, its exit code is the
/// tool's, and SIGTERM or SIGINT sent to the tool reach it.
/// </summary>
internal static class HostLauncher
{
    /// <summary>The exit code of a usage or build error, as the host's own usage errors.</summary>
    public const int UsageError = 2;

    public static async Task<int> RunAsync(ToolCommand.Host command, string currentDirectory, TextWriter stderr)
    {
        var lookup = ProjectLocator.Find(command.Project, currentDirectory);
        if (lookup.Path is not { } project)
        {
            await stderr.WriteLineAsync(lookup.Error);
            return UsageError;
        }

        var configuration = command.Configuration is { } c ? new[] { "-p:Configuration=" + c } : [];
        if (!command.NoBuild)
        {
            if (!Console.IsErrorRedirected)
            {
                await stderr.WriteLineAsync($"Building {Path.GetFileName(project)}…");
            }

            var (buildExit, buildOutput) = await Dotnet.CaptureAsync(currentDirectory, ["build", project, "-nologo", "-v:q", .. configuration]);
            if (buildExit != 0)
            {
                await stderr.WriteAsync(buildOutput);
                await stderr.WriteLineAsync($"The build of {project} failed (dotnet build exited {buildExit}).");
                return UsageError;
            }
        }

        var (exit, output) = await Dotnet.CaptureAsync(currentDirectory, ["msbuild", project, "-nologo", "-getProperty:TargetPath", "-getProperty:OutputType", .. configuration]);
        if (exit != 0 || Properties(output) is not { } properties)
        {
            await stderr.WriteAsync(output);
            await stderr.WriteLineAsync($"Could not read the output of {project} (dotnet msbuild -getProperty exited {exit}).");
            return UsageError;
        }

        var (targetPath, outputType) = properties;
        if (!string.Equals(outputType, "Exe", StringComparison.OrdinalIgnoreCase))
        {
            await stderr.WriteLineAsync($"{project} is not a host program (its OutputType is {outputType}, not Exe): a pipelines project's Program.cs calls PipelineHost.RunAsync(args, typeof(Program).Assembly).");
            return UsageError;
        }

        if (!File.Exists(targetPath))
        {
            await stderr.WriteLineAsync($"{targetPath} does not exist: build {project}{(command.NoBuild ? ", or leave out --no-build" : "")}.");
            return UsageError;
        }

        return await ExecAsync(targetPath, command.Arguments, currentDirectory);
    }

    /// <summary>TargetPath and OutputType from the JSON that <c>dotnet msbuild -getProperty:A -getProperty:B</c> prints.</summary>
    internal static (string TargetPath, string OutputType)? Properties(string json)
    {
        var start = json.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json[start..]);
            var properties = document.RootElement.GetProperty("Properties");
            var targetPath = properties.GetProperty("TargetPath").GetString();
            var outputType = properties.GetProperty("OutputType").GetString();
            return string.IsNullOrEmpty(targetPath) ? null : (targetPath, outputType ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<int> ExecAsync(string assembly, ImmutableArray<string> arguments, string currentDirectory)
    {
        var start = new ProcessStartInfo(Dotnet.Executable) { WorkingDirectory = currentDirectory, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Ctrl+C reaches the whole foreground process group, the host included; a signal sent to the tool alone
        // (a supervisor's SIGTERM) is passed on. The host takes a second one as it takes the first. The tool stays
        // until the host has ended, and ends with its code (130 after SIGINT, 143 after SIGTERM).
        var child = new ForwardedSignals();
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => child.Forward(context, Signals.SIGTERM));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => child.Forward(context, Signals.SIGINT));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Dotnet.Executable} did not start.");
        child.Started(process.Id);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>Signals that came before the child started are sent once it has.</summary>
    private sealed class ForwardedSignals
    {
        private readonly Lock _gate = new();
        private readonly List<int> _pending = [];
        private int _pid;

        public void Forward(PosixSignalContext context, int signal)
        {
            context.Cancel = true;
            lock (_gate)
            {
                if (_pid == 0)
                {
                    _pending.Add(signal);
                    return;
                }
            }

            _ = Signals.kill(_pid, signal);
        }

        public void Started(int pid)
        {
            lock (_gate)
            {
                _pid = pid;
                foreach (var signal in _pending)
                {
                    _ = Signals.kill(pid, signal);
                }

                _pending.Clear();
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The C library's names.")]
    private static class Signals
    {
        public const int SIGINT = 2;
        public const int SIGTERM = 15;

        // DllImport, not LibraryImport: the generated stub needs unsafe code; two ints need no marshalling.
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int sig);
    }
}
