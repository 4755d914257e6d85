using Pipelines.Environments;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;

namespace Pipelines.Hosting.Commands;

/// <summary>One target the project's environments run on, and which environments those are.</summary>
/// <param name="Renderer">The target's renderer, whose <see cref="ISpecRenderer.CheckDefinition"/> applies.</param>
/// <param name="Environments">The environments, for messages: <c>environments 'production', 'staging'</c>, <c>environment 'local' with runtime auto</c>.</param>
internal sealed record EnvironmentTarget(ISpecRenderer Renderer, string Environments)
{
    /// <summary>
    /// The targets of every environment of <paramref name="config"/>, plus the built-in <c>local</c> when the file does not
    /// declare one (a run without <c>--env</c> uses it). A runtime names its target through its provider's renderer;
    /// <c>auto</c> names the targets of every runtime it may pick (Docker's containers); a runtime that renders nothing
    /// (<c>process</c>) adds no rule to <c>Build()</c>'s.
    /// </summary>
    public static IReadOnlyList<EnvironmentTarget> Of(PipelinesConfig config, IReadOnlyList<IRuntimeProvider> runtimes)
    {
        ArgumentNullException.ThrowIfNull(config);
        var environments = config.Environments.Values.ToList();
        if (!config.Environments.ContainsKey(EnvironmentConfig.DefaultLocal.Name))
        {
            environments.Add(EnvironmentConfig.DefaultLocal);
        }

        return [.. environments
            .SelectMany(e => RenderersOf(e.Runtime, runtimes).Select(r => (Environment: e, Renderer: r)))
            .GroupBy(x => x.Renderer.Target, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new EnvironmentTarget(g.First().Renderer, Describe(g.Key, [.. g.Select(x => x.Environment).OrderBy(e => e.Name, StringComparer.Ordinal)])))];
    }

    private static IEnumerable<ISpecRenderer> RenderersOf(string runtime, IReadOnlyList<IRuntimeProvider> runtimes) =>
        runtimes.Where(r => r.Renderer is not null && (runtime == "auto" ? r.Automatic : r.Name == runtime)).Select(r => r.Renderer!);

    // environment 'local' with runtime auto; environments 'production', 'staging'
    private static string Describe(string target, List<EnvironmentConfig> environments) =>
        (environments.Count == 1 ? "environment " : "environments ")
        + string.Join(", ", environments.Select(e => $"'{e.Name}'" + (e.Runtime == target ? string.Empty : $" with runtime {e.Runtime}")));
}
