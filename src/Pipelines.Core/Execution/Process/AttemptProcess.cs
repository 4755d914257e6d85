using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.Versioning;

namespace Pipelines.Execution;

/// <summary>
/// One started attempt process: forwards its stdout and stderr lines to the sink as they come (one
/// reader per stream, so each stream keeps its order; calls to the sink are serialised), signals it and
/// everything it started, and cleans up after its exit.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class AttemptProcess : IDisposable
{
    // Bounds the wait for the log pipes to close once every process of the attempt was killed; only a
    // process that left both the group and its marker (setsid and a cleared environment) can hold them longer.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly IAttemptSink _sink;
    private readonly Lock _logGate = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private bool _closed;
    private ExceptionDispatchInfo? _sinkFailure;

    private AttemptProcess(Process process, IAttemptSink sink, string marker)
    {
        _process = process;
        _sink = sink;
        Marker = marker;
        Pid = process.Id;
        Handle = new ProcessHandle(Pid, OperatingSystem.IsLinux() ? ProcessTable.TryRead(Pid)?.StartTime ?? 0 : 0);
        _stdout = Task.Run(() => PumpAsync(process.StandardOutput));
        _stderr = Task.Run(() => PumpAsync(process.StandardError));
    }

    /// <summary>The main process id (the leader of the attempt's process group).</summary>
    public int Pid { get; }

    /// <summary>The pid and start time, for <see cref="IAttemptSink.StartedAsync"/>.</summary>
    public ProcessHandle Handle { get; }

    /// <summary>The attempt's environment marker.</summary>
    public string Marker { get; }

    /// <summary>The main process's exit code (128 + signal when a signal ended it).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the process with stdin closed and stdout and stderr read line by line.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    public static AttemptProcess Start(ProcessStartInfo info, IAttemptSink sink, string marker)
    {
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        try
        {
            // A task that reads stdin gets end-of-file, as in a container, instead of the host's terminal.
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It already exited.
        }

        return new AttemptProcess(process, sink, marker);
    }

    /// <summary>Waits for the main process to exit.</summary>
    public Task WaitForExitAsync() => _process.WaitForExitAsync();

    /// <summary>Sends <paramref name="signal"/> to the process group and every marked process.</summary>
    public void Signal(int signal) => AttemptProcesses.Signal([Pid], Marker, signal);

    /// <summary>
    /// After the main process exited: kills what is left of the attempt (as a container's end would),
    /// waits for it to go, and forwards the rest of the log. Rethrows a failure of the sink.
    /// </summary>
    public async Task FinishAsync()
    {
        Signal(ProcessSignals.Kill);
        await AttemptProcesses.WaitGoneAsync(Marker).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_stdout, _stderr).WaitAsync(DrainLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Lines that come later are dropped: the attempt is over.
        }

        lock (_logGate)
        {
            _closed = true;
        }

        _sinkFailure?.Throw();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_logGate)
        {
            _closed = true;
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_logGate)
                {
                    if (_closed || _sinkFailure is not null)
                    {
                        continue;
                    }

                    try
                    {
                        _sink.Log(line);
                    }
                    catch (Exception ex)
                    {
                        // Keep reading so the process never blocks on a full pipe; FinishAsync reports it.
                        _sinkFailure = ExceptionDispatchInfo.Capture(ex);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The streams were closed after the drain limit.
        }
    }
}
