using System.CommandLine;
using System.Reflection;
using Pipelines.Execution.State;
using Pipelines.Hosting.Catalog;
using Pipelines.Hosting.Commands;

namespace Pipelines.Hosting;

/// <summary>
/// The command line of a host program: <c>return await PipelineHost.RunAsync(args, typeof(Program).Assembly);</c>
/// gives it the verbs <c>list</c>, <c>validate</c>, <c>graph</c>, <c>render</c>, <c>run</c>, <c>test</c>, <c>runs</c> and <c>clear</c> over the pipelines of that assembly.
/// Exit codes (<see cref="ExitCodes"/>): 0 success, 1 a task failed, 2 a definition or usage error or an unusable run store,
/// 74 a run stopped because its state could not be written, 130 Ctrl+C, 143 SIGTERM.
/// </summary>
public static class PipelineHost
{
    /// <summary>Runs the command line over the pipelines defined in <paramref name="assemblies"/>.</summary>
    public static Task<int> RunAsync(string[] args, params Assembly[] assemblies) =>
        RunAsync(args, PipelineCatalog.FromAssemblies(assemblies));

    /// <summary>Runs the command line over <paramref name="catalog"/>.</summary>
    public static async Task<int> RunAsync(string[] args, PipelineCatalog catalog, PipelineHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new PipelineHostOptions();
        var context = new HostContext(catalog, options.Out, options.Error, options.WorkingDirectory, options.GetEnvironmentVariable, options.Runtimes) { Time = options.Time };
        var root = new RootCommand("Pipelines: DAGs of container tasks, defined as C# code.")
        {
            ListCommand.Create(context),
            ValidateCommand.Create(context),
            GraphCommand.Create(context),
            RenderCommand.Create(context),
            RunCommand.Create(context),
            TestCommand.Create(context),
            BackfillCommand.Create(context),
            SchedulerCommand.Create(context),
            RunsCommand.Create(context),
            NextCommand.Create(context),
            ReportCommand.Create(context),
            ClearCommand.Create(context),
            CleanCommand.Create(context),
            ImagesCommand.Create(context),
            ShellCommand.Create(context),
        };

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            // System.CommandLine exits 1 on a parse error; ours is a usage error, 2, with the help hint.
            foreach (var error in result.Errors)
            {
                await options.Error.WriteLineAsync(error.Message);
            }

            var verb = result.CommandResult.Command == root ? string.Empty : " " + result.CommandResult.Command.Name;
            await options.Error.WriteLineAsync($"Run with{verb} --help for usage.");
            return ExitCodes.UsageError;
        }

        // No ProcessTerminationTimeout: the run verb handles SIGINT and SIGTERM itself, stopping its
        // attempts gracefully and exiting 130 or 143, instead of being killed at once. No default exception
        // handler: a run store that cannot be used is a message here, for every verb, never a stack trace.
        var invocation = new InvocationConfiguration { Output = options.Out, Error = options.Error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await result.InvokeAsync(invocation, cancellationToken);
        }
        catch (RunStoreException ex)
        {
            await options.Error.WriteLineAsync(ex.Message);
            return ExitCodes.UsageError;
        }
        catch (RunStateWriteException ex)
        {
            await options.Error.WriteLineAsync(ex.Message);
            await options.Error.WriteLineAsync("Once there is room (or the folder is writable again), run the same command to resume: succeeded tasks are kept.");
            return ExitCodes.StateError;
        }
        catch (Exception ex)
        {
            // Anything else is a bug: shown whole, exit 1, as System.CommandLine's default handler did.
            await options.Error.WriteLineAsync($"Unhandled exception: {ex}");
            return 1;
        }
    }
}
