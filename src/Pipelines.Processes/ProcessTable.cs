using System.Globalization;
using System.Runtime.Versioning;
using System.Text;

namespace Pipelines.Processes;

/// <summary>Reads Linux's <c>/proc</c>: a process's stat line, and which processes carry an environment entry.</summary>
internal static class ProcessTable
{
    /// <summary>Reads <c>/proc/&lt;pid&gt;/stat</c>; null when the process does not exist.</summary>
    [SupportedOSPlatform("linux")]
    public static ProcessStat? TryRead(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(pid, text);
    }

    /// <summary>Parses a stat line. The command name (field 2) may hold spaces and ')', so fields are counted after the last ')'.</summary>
    public static ProcessStat? Parse(int pid, string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state), fields[2] field 5 (pgrp), fields[19] field 22 (starttime).
        return fields.Length > 19
            && int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var group)
            && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && fields[0].Length == 1
            ? new ProcessStat(pid, fields[0][0], group, start)
            : null;
    }

    /// <summary>
    /// Every live process (not this one) whose initial environment holds exactly <paramref name="entry"/>
    /// (<c>NAME=value</c>). Processes inherit it from the attempt's process, so this finds its children
    /// too, even those that left its process group. Unreadable processes (other users) are skipped.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static List<int> FindWithEnvironment(string entry)
    {
        var wanted = Encoding.UTF8.GetBytes(entry);
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            byte[] environ;
            try
            {
                environ = File.ReadAllBytes(Path.Combine(directory, "environ"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (HasEntry(environ, wanted))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>The first item of a process's command line (its argv[0]), or null.</summary>
    [SupportedOSPlatform("linux")]
    public static string? ProgramName(int pid)
    {
        try
        {
            var cmdline = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
            var end = Array.IndexOf(cmdline, (byte)0);
            return Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when process <paramref name="pid"/>'s initial environment holds exactly <paramref name="entry"/>.</summary>
    [SupportedOSPlatform("linux")]
    public static bool HasEnvironmentEntry(int pid, string entry)
    {
        try
        {
            return HasEntry(File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ"), Encoding.UTF8.GetBytes(entry));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True when the NUL-separated <paramref name="environ"/> holds <paramref name="entry"/> as one whole entry.</summary>
    public static bool HasEntry(ReadOnlySpan<byte> environ, ReadOnlySpan<byte> entry)
    {
        var offset = 0;
        while (offset < environ.Length)
        {
            var rest = environ[offset..];
            var end = rest.IndexOf((byte)0);
            var item = end < 0 ? rest : rest[..end];
            if (item.SequenceEqual(entry))
            {
                return true;
            }

            offset += end < 0 ? rest.Length : end + 1;
        }

        return false;
    }
}
