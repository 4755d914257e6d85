using System.Runtime.Versioning;
using Pipelines.Attempts;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Processes;

/// <summary>
/// What an attempt's process is: <c>Command[0]</c> (or <c>Args[0]</c>) found on PATH, the rest its arguments — with
/// volumes mapped to host folders, mount paths rewritten, secrets resolved, and Kubernetes' <c>$(VAR)</c> expanded with
/// the whole environment, as in a pod — its environment and its working directory.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class AttemptCommand
{
    // The program, its arguments, environment and working directory, with volumes mapped and secrets resolved.
    [SupportedOSPlatform("linux")]
    public static (string Program, List<string> Arguments, Dictionary<string, string> Environment, string WorkingDirectory) Prepare(ResolvedTask attempt, AttemptWorkspace workspace, string marker, string projectRoot, ISecretResolver secrets, SecretMasker masker)
    {
        var task = attempt.Task;
        var argv = task.Command.Concat(task.Args).ToList();
        if (argv.Count == 0)
        {
            throw new AttemptLostException($"the task has neither a command nor args, and the process runtime cannot run the entrypoint of image '{task.Image}'; give the task a command");
        }

        var paths = VolumeMapper.Map(task, projectRoot, workspace, secrets, masker);
        var environment = AttemptEnvironment.Build(task, paths, secrets, masker, workspace.OutputFile, marker[(marker.IndexOf('=', StringComparison.Ordinal) + 1)..], Environment.GetEnvironmentVariable);
        var workingDirectory = WorkingDirectory(task.WorkingDir, paths, workspace, projectRoot);
        // Command and args expand $(VAR) with the whole environment, as in a pod.
        argv = [.. argv.Select(a => VariableExpansion.Expand(paths.Rewrite(a), environment.GetValueOrDefault))];
        var program = ProgramLocator.Locate(argv[0], environment.GetValueOrDefault("PATH"), workingDirectory);
        return (program, argv[1..], environment, workingDirectory);
    }

    [UnsupportedOSPlatform("windows")]
    private static string WorkingDirectory(string? workingDir, MountPathRewriter paths, AttemptWorkspace workspace, string projectRoot)
    {
        if (string.IsNullOrEmpty(workingDir))
        {
            return workspace.Scratch;
        }

        var mapped = paths.Rewrite(workingDir);
        if (!ReferenceEquals(mapped, workingDir))
        {
            Directory.CreateDirectory(mapped);
            return mapped;
        }

        var host = Path.GetFullPath(workingDir, projectRoot);
        return Directory.Exists(host)
            ? host
            : throw new AttemptLostException($"working dir '{workingDir}' is not under a mount and does not exist on this machine");
    }
}
