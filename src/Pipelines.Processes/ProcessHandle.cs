using System.Globalization;

namespace Pipelines.Processes;

/// <summary>
/// What finds a started process again: <c>pid:&lt;pid&gt;:start:&lt;ticks&gt;</c>, where ticks is field 22 of
/// <c>/proc/&lt;pid&gt;/stat</c> (clock ticks after boot). A reused pid has another start time, so it is never mistaken.
/// </summary>
internal readonly record struct ProcessHandle(int Pid, ulong StartTime)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"pid:{Pid}:start:{StartTime}");

    public static bool TryParse(string? text, out ProcessHandle handle)
    {
        handle = default;
        var parts = text?.Split(':');
        if (parts is not ["pid", var pidText, "start", var startText]
            || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0
            || !ulong.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return false;
        }

        handle = new ProcessHandle(pid, start);
        return true;
    }
}
