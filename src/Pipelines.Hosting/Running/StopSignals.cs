using System.Runtime.InteropServices;
using Pipelines.Hosting.Commands;

namespace Pipelines.Hosting.Running;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM stop a run gracefully instead of killing the host: running attempts
/// get their grace period and are recorded cancelled; the exit code says which signal it was.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public StopSignals()
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, ExitCodes.Interrupted)));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, ExitCodes.Terminated)));
    }

    /// <summary>Fires on the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM, null while no signal came.</summary>
    public int? ExitCode { get; private set; }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void Stop(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true; // keep the process alive until the run has stopped its attempts
        ExitCode ??= exitCode;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A signal that came as this run ended (the scheduler's runs end while others go on): nothing left to stop.
        }
    }
}
