using Pipelines.Resolution;

namespace Pipelines.Docker.Runtime;

/// <summary>What the Docker runtime adds to a failed exit's reason: what ran out, what was refused, and what to do.</summary>
internal static class ContainerReasons
{
    /// <summary>A mounted volume refused the task's user ("Permission denied" about its path in the log).</summary>
    public static string Denied(ResolvedTask attempt, string mount)
    {
        var user = attempt.Task.RunAsUser is { } uid ? $"user {uid}" : "the image's user";
        return $"the task was refused access to the volume at {mount} (Permission denied): it runs as {user}, " +
            "and the volume's files belong to another user — make them that user's (or writable), or run the task as their owner (.RunAs)";
    }

    /// <summary>The kernel's OOM killer hit the container (or a process in it), with the limit.</summary>
    public static string Oom(ResolvedTask attempt, int code)
    {
        var limit = attempt.Task.Resources.Limits.Memory is { } memory ? $"its memory limit of {memory}" : "the memory the engine allowed";
        return code == 0
            ? $"OOM-killed: a process of the container used more than {limit} and was killed, though the task exited 0"
            : $"OOM-killed: the container used more than {limit}";
    }
}
