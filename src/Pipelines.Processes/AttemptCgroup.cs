using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>One attempt's cgroup: the processes in it, signalled or killed together, then removed.</summary>
[SupportedOSPlatform("linux")]
internal sealed class AttemptCgroup(string path)
{
    /// <summary>The cgroup's directory.</summary>
    public string Path { get; } = path;

    /// <summary>The file a process writes its pid to, to join.</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>The live processes in the cgroup (none when it is gone).</summary>
    public List<int> Pids()
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(ProcsFile))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return pids;
    }

    /// <summary>Sends <paramref name="signal"/> to every process in the cgroup; returns them.</summary>
    public List<int> Signal(int signal)
    {
        var pids = Pids();
        foreach (var pid in pids)
        {
            ProcessSignals.Send(pid, signal);
        }

        return pids;
    }

    /// <summary>
    /// Kills every process in the cgroup (<c>cgroup.kill</c>, which also catches a process forking at
    /// that moment; SIGKILL to each member on kernels before 5.14), waits until it is empty and removes it.
    /// Best effort: what cannot be removed is left for the next attempt of the same name.
    /// </summary>
    public List<int> KillAndRemove()
    {
        // Empty (the common case: the task's processes have all ended): removing it is all there is to do.
        var killed = Pids();
        if (killed.Count == 0 && TryRemove())
        {
            return killed;
        }

        var kill = System.IO.Path.Combine(Path, "cgroup.kill");
        var deadline = Stopwatch.StartNew();
        while (Directory.Exists(Path) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            try
            {
                if (File.Exists(kill))
                {
                    File.WriteAllText(kill, "1");
                }
                else
                {
                    Signal(ProcessSignals.Kill);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to kill: removing tells.
            }

            if (TryRemove())
            {
                break;
            }

            // EBUSY until the kernel has taken the killed processes out; that takes microseconds.
            Thread.Sleep(1);
        }

        return killed;
    }

    private bool TryRemove()
    {
        try
        {
            Directory.Delete(Path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
