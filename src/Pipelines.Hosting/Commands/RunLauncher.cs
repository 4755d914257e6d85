using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.Notifications;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Hosting.Notifications;
using Pipelines.Rendering;
using Pipelines.Secrets;

namespace Pipelines.Hosting.Commands;

/// <summary>Everything a run needs, checked before anything starts.</summary>
internal sealed record RunSetup(RunContext Run, IContainerRuntime Runtime, IRunStore Store, ExecutorOptions Options, SecretMasker Masker, string RuntimeLine) : IDisposable
{
    public void Dispose() => Store.Dispose();
}

/// <summary>
/// Prepares a run for <c>run</c> and <c>test</c>: the environment, the runtime (asked, or the first that <c>auto</c> may
/// pick whose probe says it can run here — and why), secrets, a preflight of templates, secrets and the runtime's target
/// renderer, then the run store. Every problem is reported and nothing starts (exit 2).
/// </summary>
internal static class RunLauncher
{
    public static async Task<RunSetup?> PrepareAsync(HostContext context, Dag dag, RunRequest request, CancellationToken cancellationToken)
    {
        var run = context.RunOrReport(dag, request.Date, request.Environment, request.Params, request.RunKind);
        if (run is null)
        {
            return null;
        }

        var root = context.Config!.RootDirectory;
        var environment = run.Environment;
        var (provider, line) = await ChooseAsync(context, run, request.Runtime, root, cancellationToken).ConfigureAwait(false);
        if (provider is null)
        {
            return null;
        }

        ISecretResolver secrets;
        try
        {
            secrets = new EnvironmentSecretResolver(environment.SecretsFile is { } file ? Path.Combine(root, file) : null);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"The secrets file of environment '{environment.Name}' cannot be read: {ex.Message}");
            return null;
        }

        var masker = new SecretMasker();
        var warnings = new List<RenderDiagnostic>();
        var target = provider.Renderer is { } renderer ? (renderer, root) : ((ISpecRenderer, string)?)null;
        var problems = RunPreflight.Check(run, secrets, masker, request.Scope.Tasks, target, warnings);
        // A test of a few tasks alerts nobody: the environment's webhooks hear recorded runs only.
        var webhookProblems = new List<string>();
        var notifiers = request.Records ? Webhooks(environment, secrets, masker, webhookProblems) : [];
        if (problems.Count + webhookProblems.Count > 0)
        {
            foreach (var problem in problems)
            {
                context.Error.WriteLine($"error: {problem}");
            }

            foreach (var problem in webhookProblems)
            {
                context.Error.WriteLine($"error: {problem}");
            }

            context.Error.WriteLine($"Nothing started: {problems.Count + webhookProblems.Count} problem(s).");
            return null;
        }

        foreach (var warning in warnings)
        {
            context.Error.WriteLine(warning.ToString());
        }

        foreach (var source in masker.TooShort)
        {
            context.Error.WriteLine(
                $"warning: {source} is shorter than {SecretMasker.MinimumLength} characters, so it is not masked in logs and messages; " +
                "a value that short is guessed easily — use a longer one");
        }

        // A store that cannot be opened throws RunStoreException: PipelineHost reports it (exit 2).
        var store = new SqliteRunStore(request.StatePath ?? RunPaths.DefaultStatePath(root));
        var options = new ExecutorOptions
        {
            MaxActiveTasks = request.MaxActive,
            Pools = environment.Pools,
            // A test writes no log files: its try numbers belong to a copy of the run, not to the run.
            LogFolder = request.Records ? RunPaths.LogFolder(store.Location) : null,
            Masker = masker,
            Scope = request.Scope,
            Notifiers = notifiers,
        };
        var runtime = provider.Create(new RuntimeSetup(run, root, secrets, masker, store.StoreId, TimeProvider.System));
        return new RunSetup(run, runtime, store, options, masker, line);
    }

    // The environment's webhooks, their URLs resolved (a secret one is masked from here on); what cannot be resolved is a problem.
    private static List<IRunNotifier> Webhooks(EnvironmentConfig environment, ISecretResolver secrets, SecretMasker masker, List<string> problems)
    {
        var notifiers = new List<IRunNotifier>();
        for (var i = 0; i < environment.Webhooks.Length; i++)
        {
            var webhook = environment.Webhooks[i];
            var at = $"environment '{environment.Name}' webhooks[{i}]";
            var url = webhook.Url;
            if (webhook.UrlSecret is { } secret)
            {
                var reference = new SecretRef(secret.Name, secret.Key);
                if (!secrets.TryResolve(reference, out url))
                {
                    problems.Add($"{at}.urlSecret: {RunPreflight.MissingSecret(reference)}");
                    continue;
                }

                masker.Add(url, $"the URL of {at} ({RunPreflight.SecretSource(secret.Name, secret.Key)})");
            }

            // A literal URL read from pipelines.json was checked there; a secret's value (or a config made in code) is checked here.
            if (!WebhookConfig.TryParseUrl(url, out var uri))
            {
                problems.Add($"{at}: {(webhook.UrlSecret is null ? $"'{url}'" : "the secret's value")} is not an absolute http:// or https:// URL");
                continue;
            }

            notifiers.Add(new WebhookNotifier(webhook, uri, masker, TimeProvider.System));
        }

        return notifiers;
    }

    // The runtime asked for (--runtime, else the environment's), or for auto the first runtime auto may pick that can
    // run here; null (with the reasons written) when none can.
    private static async Task<(IRuntimeProvider? Provider, string Line)> ChooseAsync(HostContext context, RunContext run, string? asked, string root, CancellationToken cancellationToken)
    {
        var name = asked ?? run.Environment.Runtime;
        var source = asked is null ? $"environment '{run.Environment.Name}'" : "--runtime";
        if (name != "auto")
        {
            var provider = context.Runtimes.First(r => r.Name == name);
            var probe = await provider.ProbeAsync(run, root, cancellationToken).ConfigureAwait(false);
            if (!probe.Usable)
            {
                context.Error.WriteLine($"The {name} runtime ({source}) cannot run DAG '{run.Dag.Id}' here: {probe.Reason}. Nothing started.");
                return (null, string.Empty);
            }

            return (provider, $"Runtime: {name} ({source}); {probe.Reason}.");
        }

        var reasons = new List<string>();
        foreach (var provider in context.Runtimes.Where(r => r.Automatic))
        {
            var probe = await provider.ProbeAsync(run, root, cancellationToken).ConfigureAwait(false);
            reasons.Add($"{provider.Name}: {probe.Reason}");
            if (probe is { Usable: true, Automatic: true })
            {
                return (provider, $"Runtime: {provider.Name} — auto ({source}) tries {string.Join(", then ", context.Runtimes.Where(r => r.Automatic).Select(r => r.Name))}; {string.Join("; ", reasons)}.");
            }
        }

        context.Error.WriteLine($"No runtime can run DAG '{run.Dag.Id}' here (auto, {source}): {string.Join("; ", reasons)}. Nothing started.");
        return (null, string.Empty);
    }
}
