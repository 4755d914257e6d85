using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>Finds the program to run the way a shell does: a name with a '/' is a path (from the working directory), else the first executable on PATH.</summary>
[UnsupportedOSPlatform("windows")]
internal static class ProgramLocator
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The program's full path.</summary>
    /// <exception cref="AttemptLostException">It does not exist or is not executable.</exception>
    public static string Locate(string program, string? searchPath, string workingDirectory)
    {
        if (program.Length == 0)
        {
            throw new AttemptLostException("the program name is empty");
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program, workingDirectory);
            return IsExecutable(full) ? full : throw new AttemptLostException($"program '{program}' does not exist or is not executable");
        }

        foreach (var directory in (searchPath ?? "").Split(':'))
        {
            // An empty PATH entry means the working directory, as in POSIX shells.
            var candidate = Path.Combine(directory.Length == 0 ? workingDirectory : directory, program);
            if (IsExecutable(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new AttemptLostException($"program '{program}' was not found on PATH ({searchPath ?? "unset"}); the process runtime runs programs of this machine, not of the image");
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & AnyExecute) != 0;
}
