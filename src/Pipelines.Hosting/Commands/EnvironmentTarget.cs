using Pipelines.Environments;
using Pipelines.Rendering;

namespace Pipelines.Hosting.Commands;

/// <summary>One target the project's environments run on, and which environments those are.</summary>
/// <param name="Renderer">The target's renderer, whose <see cref="ISpecRenderer.CheckDefinition"/> applies.</param>
/// <param name="Environments">The environments, for messages: <c>environments 'production', 'staging'</c>, <c>environment 'local' with runtime auto</c>.</param>
internal sealed record EnvironmentTarget(ISpecRenderer Renderer, string Environments)
{
    /// <summary>
    /// The targets of every environment of <paramref name="config"/>, plus the built-in <c>local</c>
    /// when the file does not declare one (a run without <c>--env</c> uses it). A runtime names its
    /// target: <c>kubernetes</c> → pods; <c>docker</c> and <c>auto</c> (which picks Docker when an engine
    /// answers) → Docker containers; <c>process</c> adds no rule to <c>Build()</c>'s (its one name rule,
    /// volume names that stay inside the volumes folder, is one of them).
    /// </summary>
    public static IReadOnlyList<EnvironmentTarget> Of(PipelinesConfig config, IReadOnlyDictionary<string, ISpecRenderer> renderers)
    {
        ArgumentNullException.ThrowIfNull(config);
        var environments = config.Environments.Values.ToList();
        if (!config.Environments.ContainsKey(EnvironmentConfig.DefaultLocal.Name))
        {
            environments.Add(EnvironmentConfig.DefaultLocal);
        }

        return [.. environments
            .Select(e => (Environment: e, Target: TargetOf(e.Runtime)))
            .Where(x => x.Target is not null && renderers.ContainsKey(x.Target))
            .GroupBy(x => x.Target!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new EnvironmentTarget(renderers[g.Key], Describe(g.Key, [.. g.Select(x => x.Environment).OrderBy(e => e.Name, StringComparer.Ordinal)])))];
    }

    private static string? TargetOf(string runtime) => runtime switch
    {
        "kubernetes" => "kubernetes",
        "docker" or "auto" => "docker",
        _ => null,
    };

    // environment 'local' with runtime auto; environments 'production', 'staging'
    private static string Describe(string target, List<EnvironmentConfig> environments) =>
        (environments.Count == 1 ? "environment " : "environments ")
        + string.Join(", ", environments.Select(e => $"'{e.Name}'" + (e.Runtime == target ? string.Empty : $" with runtime {e.Runtime}")));
}
