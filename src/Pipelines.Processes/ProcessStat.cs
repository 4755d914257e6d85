namespace Pipelines.Processes;

/// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> the process runtime needs.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="State">Field 3: <c>R</c>, <c>S</c>, <c>D</c>, <c>Z</c> (zombie), …</param>
/// <param name="ProcessGroup">Field 5: the process group id.</param>
/// <param name="StartTime">Field 22: clock ticks after boot when the process started.</param>
internal readonly record struct ProcessStat(int Pid, char State, int ProcessGroup, ulong StartTime)
{
    /// <summary>True for a zombie or a dead process: it has exited and only waits to be reaped.</summary>
    public bool HasExited => State is 'Z' or 'X' or 'x';

    /// <summary>True when the process leads its own process group (so signalling the group reaches only its own).</summary>
    public bool IsGroupLeader => ProcessGroup == Pid;
}
