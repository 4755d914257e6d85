using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Microsoft.Win32.SafeHandles;
using Pipelines.Attempts;
using Pipelines.Docker.Rendering;
using Pipelines.Docker.Runtime;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Hosting.Running;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Secrets;
using Pipelines.Text;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>shell DAG TASK --date D [--env NAME] [--param k=v]… [--entrypoint PROGRAM] [--state FILE]</c>: starts the task's
/// container interactively on the Docker engine — its image, variables (secrets resolved), mounts, user and working
/// folder — with <c>/bin/sh</c> (or PROGRAM) instead of its command, attached to this terminal; exits with the
/// container's exit code, and the container is removed. With a terminal on stdin the container gets a TTY (and this
/// terminal is put in raw mode while it runs); without one, stdin is piped in and the end of stdin ends the shell.
/// The debugging <c>docker run -it --entrypoint /bin/sh …</c> of a task, without typing its settings by hand.
/// </summary>
internal static class ShellCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG.");
        var task = new Argument<string>("task") { Description = "The task whose container to open a shell in." };
        var date = CommonOptions.Date();
        var environment = CommonOptions.Environment();
        var parameters = CommonOptions.Params();
        var entrypoint = new Option<string?>("--entrypoint") { Description = $"The program to start instead of {DockerShell.DefaultProgram}, such as /bin/bash." };
        var state = CommonOptions.State();
        var command = new Command("shell", $"Start a task's container interactively on the Docker engine (its image, env, mounts and user) with {DockerShell.DefaultProgram} instead of its command; the container is removed at the end.")
        {
            dag, task, date, environment, parameters, entrypoint, state,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            context,
            result.GetValue(dag)!,
            result.GetValue(task)!,
            result.GetValue(date),
            result.GetValue(environment),
            result.GetValue(parameters)!,
            result.GetValue(entrypoint),
            result.GetValue(state),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        HostContext context,
        string dagId,
        string taskId,
        RunDate date,
        string? environmentName,
        IReadOnlyDictionary<string, string> parameters,
        string? entrypoint,
        string? statePath,
        CancellationToken cancellationToken)
    {
        var dag = context.ValidDagOrReport(dagId);
        if (dag is null)
        {
            return ExitCodes.UsageError;
        }

        if (!dag.TryGetTask(taskId, out var task))
        {
            context.Error.WriteLine($"DAG '{dag.Id}' has no task '{taskId}'; its tasks: {NameList.Some(dag.Tasks.Select(t => t.Id), taskId)}");
            return ExitCodes.UsageError;
        }

        var run = context.RunOrReport(dag, date, environmentName, parameters);
        if (run is null)
        {
            return ExitCodes.UsageError;
        }

        var root = context.Config!.RootDirectory;
        ISecretResolver secrets;
        try
        {
            secrets = new EnvironmentSecretResolver(run.Environment.SecretsFile is { } file ? Path.Combine(root, file) : null);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"The secrets file of environment '{run.Environment.Name}' cannot be read: {ex.Message}");
            return ExitCodes.UsageError;
        }

        // The checks of a run, for this task on Docker: its templates, its secrets, what Docker cannot make of it.
        var masker = new SecretMasker();
        var warnings = new List<RenderDiagnostic>();
        var renderer = context.Renderers.TryGetValue("docker", out var docker) ? docker : new ContainerRenderer();
        var problems = RunPreflight.Check(run, secrets, masker, new HashSet<string>(StringComparer.Ordinal) { task.Id }, (renderer, root), warnings);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                context.Error.WriteLine($"error: {problem}");
            }

            context.Error.WriteLine($"No shell started: {problems.Count} problem(s).");
            return ExitCodes.UsageError;
        }

        foreach (var warning in warnings)
        {
            context.Error.WriteLine(warning.ToString());
        }

        ResolvedTask attempt;
        try
        {
            attempt = Resolve(context, run, task, statePath ?? RunPaths.DefaultStatePath(root));
        }
        catch (PipelineDefinitionException ex)
        {
            foreach (var problem in ex.Problems)
            {
                context.Error.WriteLine($"error: {problem}");
            }

            return ExitCodes.UsageError;
        }

        var tty = !Console.IsInputRedirected;
        using var signals = new StopSignals();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token);
        using var stdin = tty ? new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0) : Console.OpenStandardInput();
        using var stdout = WriterStream(context.Out, Console.Out, Console.OpenStandardOutput);
        using var stderr = WriterStream(context.Error, Console.Error, Console.OpenStandardError);
        if (tty)
        {
            context.Error.WriteLine(
                $"Shell in task '{task.Id}' of {dag.Id} ({attempt.Task.Image}, {entrypoint ?? DockerShell.DefaultProgram}); 'exit' or Ctrl+D ends it, and the container is removed.");
        }

        try
        {
            // The terminal is raw only while the container runs: until then Ctrl+C stops the host (and a slow pull).
            var engine = DockerEngine.For(run.Environment);
            return await DockerShell.RunAsync(
                engine, attempt, secrets, masker, entrypoint, stdin, stdout, stderr, tty, tty ? RawTerminal.Enter : null, linked.Token).ConfigureAwait(false);
        }
        catch (DockerUnreachableException ex)
        {
            context.Error.WriteLine(
                $"No shell started: {ex.Message}. Start an engine ('dockerd', or 'sudo systemctl start docker') or point docker.endpoint in pipelines.json or DOCKER_HOST at one.");
            return ExitCodes.Failure;
        }
        catch (DockerShellException ex)
        {
            context.Error.WriteLine($"No shell started: {ex.Message}.");
            if (ex.Image is not null)
            {
                context.Error.WriteLine($"Image '{ex.Image}' is needed; 'images build {dag.Id}' builds a DAG's images from busybox (for the examples), 'docker pull {ex.Image}' pulls one.");
            }

            return ExitCodes.Failure;
        }
        catch (DockerApiException ex)
        {
            context.Error.WriteLine($"The shell failed: the engine answered {(int)ex.StatusCode}: {ex.ResponseBody?.Trim()}");
            return ExitCodes.Failure;
        }
        catch (HttpRequestException ex)
        {
            context.Error.WriteLine($"The shell failed: the engine stopped answering: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            return signals.ExitCode ?? ExitCodes.Interrupted;
        }
    }

    // The attempt as its run would start it. A task that reads upstream outputs gets those the run recorded for its date;
    // when they are not there, its templates that read them stay as written (as 'render' shows them), and it is said.
    private static ResolvedTask Resolve(HostContext context, RunContext run, ContainerTask task, string statePath)
    {
        if (!RunPreflight.ReadsOutputs(task))
        {
            return TaskResolver.Resolve(run, task, tryNumber: 1, upstreamOutputs: null);
        }

        var outputs = RecordedOutputs(run, statePath);
        try
        {
            return TaskResolver.Resolve(run, task, tryNumber: 1, upstreamOutputs: outputs);
        }
        catch (PipelineDefinitionException ex)
        {
            var why = string.Join("; ", ex.Problems.Select(p => p.Message));
            context.Error.WriteLine(
                $"note: task '{task.Id}' reads upstream outputs that run {run.RunId} has not recorded in {statePath} ({why}); " +
                "its templates that read them stay as written, as 'render' shows them.");
            return TaskResolver.Preview(run, task);
        }
    }

    // The outputs of the run's succeeded tasks, as a resumed run or 'test' reads them; none when there is no store.
    private static Dictionary<string, JsonElement> RecordedOutputs(RunContext run, string statePath)
    {
        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!File.Exists(statePath))
        {
            return outputs;
        }

        using var store = new SqliteRunStore(statePath);
        var attempts = store.LoadAttempts(run.Dag.Id, run.RunId);
        foreach (var task in store.LoadTasks(run.Dag.Id, run.RunId).Where(t => t.State == TaskState.Success))
        {
            var last = attempts.Where(a => a.TaskId == task.TaskId).MaxBy(a => a.TryNumber);
            if (last is { State: AttemptState.Success, Output: { } output } && TaskOutputs.TryParseRecorded(output) is { } element)
            {
                outputs[task.TaskId] = element;
            }
        }

        return outputs;
    }

    // The process's own stream when the host writes to the console, else one that writes into the host's writer.
    private static Stream WriterStream(TextWriter writer, TextWriter console, Func<Stream> open)
    {
        if (ReferenceEquals(writer, console))
        {
            writer.Flush();
            return open();
        }

        return new TextWriterStream(writer);
    }

    /// <summary>Bytes written as UTF-8 text into a <see cref="TextWriter"/> (a character split across writes is kept whole).</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
            var count = _decoder.GetChars(buffer, chars, flush: false);
            writer.Write(chars, 0, count);
            writer.Flush();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush() => writer.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// This terminal in raw mode (no echo, no line editing, Ctrl+C a byte for the container) while the shell runs, as
    /// <c>docker run -it</c> puts it; <c>stty</c> does it, and without <c>stty</c> the terminal stays as it is.
    /// </summary>
    private sealed class RawTerminal : IDisposable
    {
        private string? _saved;

        private RawTerminal(string saved) => _saved = saved;

        public static RawTerminal? Enter()
        {
            var saved = Stty("-g")?.Trim();
            return saved is { Length: > 0 } && Stty("raw", "-echo") is not null ? new RawTerminal(saved) : null;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _saved, null) is { } saved)
            {
                Stty(saved);
            }
        }

        // Runs stty on this process's stdin (the terminal); its output, or null when it failed.
        private static string? Stty(params string[] args)
        {
            var start = new ProcessStartInfo("stty") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            try
            {
                using var process = Process.Start(start);
                if (process is null)
                {
                    return null;
                }

                var output = process.StandardOutput.ReadToEnd();
                process.StandardError.ReadToEnd();
                return process.WaitForExit(5000) && process.ExitCode == 0 ? output : null;
            }
            catch (Win32Exception)
            {
                return null;
            }
        }
    }
}
