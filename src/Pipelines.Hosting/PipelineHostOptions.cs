using Pipelines.Docker.Runtime;
using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.Runtime;
using Pipelines.Processes;

namespace Pipelines.Hosting;

/// <summary>Where a host writes, what it reads from its surroundings, and which runtimes it has; the defaults are the process's.</summary>
public sealed class PipelineHostOptions
{
    /// <summary>Standard output.</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Where <c>pipelines.json</c> is looked for, walking up.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Reads an environment variable, such as <c>PIPELINES_ENVIRONMENT</c>.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// The runtimes this host can run on, by name, in the order <c>auto</c> tries those it may pick. A runtime's project
    /// provides its <see cref="IRuntimeProvider"/>; adding one is one line here (or in a host's own options).
    /// </summary>
    public IReadOnlyList<IRuntimeProvider> Runtimes { get; init; } = DefaultRuntimes();

    /// <summary>The clock verbs read "now" from (<c>next</c>); a test passes a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Docker (tried first by <c>auto</c>), then local processes, then Kubernetes (never picked by <c>auto</c>).</summary>
    public static IReadOnlyList<IRuntimeProvider> DefaultRuntimes() =>
        [new DockerRuntimeProvider(), new ProcessRuntimeProvider(), new KubernetesRuntimeProvider()];
}
