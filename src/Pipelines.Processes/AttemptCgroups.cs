using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;

namespace Pipelines.Processes;

/// <summary>
/// A cgroup (v2) per attempt, made beside the host's own cgroup, where the host may create them: the
/// attempt's first process joins it before it runs the task, and every process the task starts is
/// born in it — also one that calls <c>setsid</c> and clears its environment — so when the attempt
/// ends, everything of it is found and killed. Only <c>cgroup.procs</c>, <c>cgroup.kill</c> and
/// <c>cgroup.events</c> are used: no controller, no limit. Where cgroup v2 is not mounted or not
/// writable for this user (a container without its cgroup, an undelegated session),
/// <see cref="Available"/> is null and the runtime falls back to the process group and the attempt's
/// environment marker.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class AttemptCgroups
{
    private static readonly Lazy<AttemptCgroups?> Discovered = new(Discover);

    private AttemptCgroups(string parent) => Parent = parent;

    /// <summary>The cgroups of this host, or null when it cannot make them.</summary>
    public static AttemptCgroups? Available => Discovered.Value;

    /// <summary>The directory attempt cgroups are made in: the host's own cgroup.</summary>
    public string Parent { get; }

    /// <summary>Creates the cgroup <paramref name="name"/> (removing a leftover of the same name first).</summary>
    public AttemptCgroup Create(string name)
    {
        var cgroup = new AttemptCgroup(Path.Combine(Parent, name));
        if (Directory.Exists(cgroup.Path))
        {
            cgroup.KillAndRemove();
        }

        Directory.CreateDirectory(cgroup.Path);
        return cgroup;
    }

    /// <summary>
    /// Removes the empty cgroups of a store (names starting <c>&lt;storeId&gt;-</c>) whose attempt has no folder in
    /// <paramref name="workRoot"/> any more: what a host that died left of attempts that were read or will never be.
    /// A cgroup whose attempt still has a folder is kept for the host that adopts it. Best effort.
    /// </summary>
    public void RemoveAbandoned(string storeId, string workRoot)
    {
        try
        {
            foreach (var path in Directory.EnumerateDirectories(Parent, storeId + "-*"))
            {
                var name = Path.GetFileName(path);
                if (!Directory.Exists(Path.Combine(workRoot, name)))
                {
                    var cgroup = new AttemptCgroup(path);
                    if (cgroup.Pids().Count == 0)
                    {
                        cgroup.KillAndRemove();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The cgroup <paramref name="name"/> when it exists.</summary>
    public AttemptCgroup? Find(string name)
    {
        var path = Path.Combine(Parent, name);
        return Directory.Exists(path) ? new AttemptCgroup(path) : null;
    }

    private static AttemptCgroups? Discover()
    {
        try
        {
            var own = File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
            if (own is null)
            {
                return null;
            }

            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "id parent major:minor root mount-point options [optional...] - fstype source super-options"
                var separator = line.IndexOf(" - ", StringComparison.Ordinal);
                if (separator < 0 || !line.AsSpan(separator + 3).StartsWith("cgroup2 ", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line[..separator].Split(' ');
                var root = Unescape(fields[3]);
                var mountPoint = Unescape(fields[4]);
                if (!own.StartsWith(root, StringComparison.Ordinal))
                {
                    continue;
                }

                var parent = Path.Combine(mountPoint, own[root.Length..].TrimStart('/'));
                return CanJoin(parent) ? new AttemptCgroups(parent) : null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    // Creating a cgroup is not enough: moving a process into it needs write access up to the common
    // ancestor. A real process tries, as an attempt's first process will.
    private static bool CanJoin(string parent)
    {
        var probe = new AttemptCgroup(Path.Combine(parent, $"pipelines-probe-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}"));
        try
        {
            Directory.CreateDirectory(probe.Path);
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("echo $$ > \"$1\"");
            start.ArgumentList.Add("sh");
            start.ArgumentList.Add(probe.ProcsFile);
            start.RedirectStandardError = true;
            using var process = System.Diagnostics.Process.Start(start)!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
        finally
        {
            probe.KillAndRemove();
        }
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && !field.AsSpan(i + 1, 3).ContainsAnyExceptInRange('0', '7'))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}
