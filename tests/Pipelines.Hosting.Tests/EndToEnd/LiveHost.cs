using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// A host program running as a child process whose output is read as it comes, so a test can
/// wait for an event ("sleepy running") and then signal or SIGKILL the host.
/// </summary>
public sealed partial class LiveHost : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly BlockingCollection<string> _lines = [];

    private LiveHost(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }

            _lines.Add(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public static LiveHost Start(string hostDll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        new(Process.Start(HostProcess.StartInfo(hostDll, workingDirectory, environment, args))!);

    /// <summary>Waits for a stdout line containing <paramref name="text"/>; fails with everything seen after 60 s or at the end of output.</summary>
    public void WaitForLine(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            foreach (var line in _lines.GetConsumingEnumerable(timeout.Token))
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new InvalidOperationException($"The host never printed '{text}'.\n{Result(null)}");
    }

    /// <summary>Waits for <paramref name="count"/> stdout lines; false when the output ended first.</summary>
    public bool TryWaitForLines(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = 0;
        try
        {
            foreach (var _ in _lines.GetConsumingEnumerable(timeout.Token))
            {
                if (++seen == count)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"The host printed {seen} lines in 60 s, not {count}.\n{Result(null)}");
        }

        return false;
    }

    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    /// <summary>SIGKILL: the host dies at once, with no chance to clean up.</summary>
    public void Crash()
    {
        Signal(9);
        _process.WaitForExit();
    }

    public async Task<HostResult> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // drains the redirected streams
        return Result(_process.ExitCode);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _lines.Dispose();
    }

    private HostResult Result(int? exitCode)
    {
        lock (_stdout)
        {
            lock (_stderr)
            {
                return new HostResult(exitCode ?? -1, _stdout.ToString(), _stderr.ToString());
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
