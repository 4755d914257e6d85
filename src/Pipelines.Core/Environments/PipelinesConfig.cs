using System.Text.Json;
using Pipelines.Secrets;

namespace Pipelines.Environments;

/// <summary>
/// The project's <c>pipelines.json</c>, found by walking up from the working directory. Its
/// folder is the project root: run state lives in <c>.pipelines/</c> beside it. Without a file,
/// the built-in <c>local</c> environment applies and the root is the working directory.
/// </summary>
public sealed class PipelinesConfig
{
    /// <summary>The file name looked for.</summary>
    public const string FileName = "pipelines.json";

    private PipelinesConfig(string? path, string root, ImmutableSortedDictionary<string, EnvironmentConfig> environments)
    {
        FilePath = path;
        RootDirectory = root;
        Environments = environments;
    }

    /// <summary>The file read, or null when none was found.</summary>
    public string? FilePath { get; }

    /// <summary>The folder of the file (or the start folder): where <c>.pipelines/</c> lives.</summary>
    public string RootDirectory { get; }

    /// <summary>The environments by name.</summary>
    public ImmutableSortedDictionary<string, EnvironmentConfig> Environments { get; }

    /// <summary>Finds and reads <c>pipelines.json</c> from <paramref name="startDirectory"/> upwards.</summary>
    /// <param name="startDirectory">Where to start looking.</param>
    /// <param name="runtimes">The runtime names an environment may name (a host's runtimes and <c>auto</c>); <see cref="EnvironmentConfig.Runtimes"/> when null.</param>
    /// <exception cref="PipelinesConfigException">The file is not valid; the message names the file, the field and what is valid.</exception>
    public static PipelinesConfig Load(string startDirectory, IReadOnlyCollection<string>? runtimes = null)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FileName);
            if (File.Exists(candidate))
            {
                return Parse(candidate, File.ReadAllText(candidate), runtimes);
            }
        }

        return new PipelinesConfig(null, Path.GetFullPath(startDirectory), ImmutableSortedDictionary<string, EnvironmentConfig>.Empty);
    }

    /// <summary>Reads a config from text; <paramref name="path"/> names it in messages and sets the root.</summary>
    /// <exception cref="PipelinesConfigException">The text is not valid JSON, holds a key twice in one object, or a setting is unknown or of the wrong type.</exception>
    public static PipelinesConfig Parse(string path, string json, IReadOnlyCollection<string>? runtimes = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new PipelinesConfigException(path, "$", $"is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (JsonDuplicateKeys.Find(root) is (var at, var key))
            {
                throw new PipelinesConfigException(path, $"{at}.{key}", $"is set twice (key '{key}' of {at}); keep one — JSON readers silently use the last");
            }

            var reader = new ConfigReader(path, runtimes ?? EnvironmentConfig.Runtimes);
            reader.ExpectObject(root, "$", ["environments"]);
            var environments = ImmutableSortedDictionary.CreateBuilder<string, EnvironmentConfig>(StringComparer.Ordinal);
            if (root.TryGetProperty("environments", out var envs))
            {
                reader.ExpectObject(envs, "$.environments", null);
                foreach (var env in envs.EnumerateObject())
                {
                    environments[env.Name] = reader.ReadEnvironment(env.Name, env.Value);
                }
            }

            return new PipelinesConfig(Path.GetFullPath(path), Path.GetDirectoryName(Path.GetFullPath(path))!, environments.ToImmutable());
        }
    }

    /// <summary>
    /// Picks the environment: <paramref name="requested"/> (from <c>--env</c>), else the
    /// <c>PIPELINES_ENVIRONMENT</c> variable, else <c>local</c>. A <c>local</c> environment that
    /// the file does not declare is the built-in one.
    /// </summary>
    /// <exception cref="PipelinesConfigException">The named environment is not declared; the message lists the ones that are.</exception>
    public EnvironmentConfig SelectEnvironment(string? requested, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var fromVariable = getEnvironmentVariable("PIPELINES_ENVIRONMENT");
        var name = !string.IsNullOrEmpty(requested) ? requested
            : !string.IsNullOrEmpty(fromVariable) ? fromVariable
            : "local";
        if (Environments.TryGetValue(name, out var environment))
        {
            return environment;
        }

        if (name == "local")
        {
            return EnvironmentConfig.DefaultLocal;
        }

        var source = !string.IsNullOrEmpty(requested) ? "--env" : "PIPELINES_ENVIRONMENT";
        var known = Environments.Keys.Append("local").Distinct().Order(StringComparer.Ordinal);
        throw new PipelinesConfigException(
            FilePath ?? Path.Combine(RootDirectory, FileName),
            "$.environments",
            $"has no environment '{name}' (from {source}); environments: {string.Join(", ", known)}");
    }

    private sealed class ConfigReader(string path, IReadOnlyCollection<string> runtimes)
    {
        public EnvironmentConfig ReadEnvironment(string name, JsonElement element)
        {
            var at = $"$.environments.{name}";
            ExpectObject(element, at, ["runtime", "docker", "kubernetes", "registry", "vars", "pools", "secretsFile", "webhooks"]);
            var runtime = OptionalString(element, "runtime", at) ?? "auto";
            if (!runtimes.Contains(runtime))
            {
                throw new PipelinesConfigException(path, $"{at}.runtime", $"'{runtime}' is not a runtime; use one of: {string.Join(", ", runtimes)}");
            }

            var docker = new DockerEnvironment();
            if (element.TryGetProperty("docker", out var d))
            {
                ExpectObject(d, $"{at}.docker", ["endpoint", "network"]);
                docker = new DockerEnvironment(OptionalString(d, "endpoint", $"{at}.docker"), OptionalString(d, "network", $"{at}.docker"));
            }

            var kubernetes = new KubernetesEnvironment();
            if (element.TryGetProperty("kubernetes", out var k))
            {
                var kAt = $"{at}.kubernetes";
                ExpectObject(k, kAt, ["context", "namespace", "inCluster", "configFile"]);
                kubernetes = new KubernetesEnvironment(
                    OptionalString(k, "context", kAt),
                    OptionalString(k, "namespace", kAt),
                    OptionalBool(k, "inCluster", kAt) ?? false,
                    OptionalString(k, "configFile", kAt));
            }

            return new EnvironmentConfig
            {
                Name = name,
                Runtime = runtime,
                Docker = docker,
                Kubernetes = kubernetes,
                Registry = StringMap(element, "registry", at),
                Vars = StringMap(element, "vars", at),
                Pools = Pools(element, at),
                SecretsFile = OptionalString(element, "secretsFile", at),
                Webhooks = Webhooks(element, at),
            };
        }

        private ImmutableArray<WebhookConfig> Webhooks(JsonElement element, string at)
        {
            if (!element.TryGetProperty("webhooks", out var list))
            {
                return [];
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new PipelinesConfigException(path, $"{at}.webhooks", $"must be an array of webhooks, not {Describe(list)}");
            }

            var webhooks = ImmutableArray.CreateBuilder<WebhookConfig>();
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                webhooks.Add(Webhook(item, $"{at}.webhooks[{i++}]"));
            }

            return webhooks.ToImmutable();
        }

        private WebhookConfig Webhook(JsonElement element, string at)
        {
            ExpectObject(element, at, ["url", "urlSecret", "format", "events", "timeoutSeconds", "retries"]);
            var url = OptionalString(element, "url", at);
            WebhookUrlSecret? secret = null;
            if (element.TryGetProperty("urlSecret", out var s))
            {
                ExpectObject(s, $"{at}.urlSecret", ["name", "key"]);
                secret = new WebhookUrlSecret(
                    OptionalString(s, "name", $"{at}.urlSecret") ?? throw new PipelinesConfigException(path, $"{at}.urlSecret.name", "is required: the secret holding the URL"),
                    OptionalString(s, "key", $"{at}.urlSecret") ?? throw new PipelinesConfigException(path, $"{at}.urlSecret.key", "is required: the secret's key holding the URL"));
            }

            if ((url is null) == (secret is null))
            {
                throw new PipelinesConfigException(path, at, "needs exactly one of url (a URL that is no secret) and urlSecret ({\"name\": …, \"key\": …}, for a URL that holds a token)");
            }

            if (url is not null && !WebhookConfig.TryParseUrl(url, out _))
            {
                throw new PipelinesConfigException(path, $"{at}.url", $"'{url}' is not an absolute http:// or https:// URL");
            }

            var formatName = OptionalString(element, "format", at) ?? "json";
            var format = formatName switch
            {
                "json" => WebhookFormat.Json,
                "slack" => WebhookFormat.Slack,
                _ => throw new PipelinesConfigException(path, $"{at}.format", $"'{formatName}' is not a format; use json or slack"),
            };

            var events = ImmutableArray.CreateBuilder<string>();
            if (element.TryGetProperty("events", out var e))
            {
                if (e.ValueKind != JsonValueKind.Array)
                {
                    throw new PipelinesConfigException(path, $"{at}.events", $"must be an array of event names, not {Describe(e)}");
                }

                foreach (var name in e.EnumerateArray())
                {
                    var text = name.ValueKind == JsonValueKind.String ? name.GetString()! : null;
                    if (text is null || !WebhookConfig.EventNames.Contains(text))
                    {
                        throw new PipelinesConfigException(path, $"{at}.events", $"{Describe(name)} is not an event; events: {string.Join(", ", WebhookConfig.EventNames)}");
                    }

                    events.Add(text);
                }
            }

            var webhook = new WebhookConfig { Url = url, UrlSecret = secret, Format = format };
            return webhook with
            {
                Events = e.ValueKind == JsonValueKind.Array ? events.ToImmutable() : webhook.Events,
                Timeout = Whole(element, "timeoutSeconds", at, 1, 600) is { } seconds ? TimeSpan.FromSeconds(seconds) : webhook.Timeout,
                Retries = Whole(element, "retries", at, 0, 10) ?? webhook.Retries,
            };
        }

        private int? Whole(JsonElement element, string name, string at, int min, int max)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= min && n <= max
                ? n
                : throw new PipelinesConfigException(path, $"{at}.{name}", $"must be a whole number from {min} to {max}, not {Describe(value)}");
        }

        private ImmutableSortedDictionary<string, int> Pools(JsonElement element, string at)
        {
            if (!element.TryGetProperty("pools", out var pools))
            {
                return ImmutableSortedDictionary<string, int>.Empty;
            }

            ExpectObject(pools, $"{at}.pools", null);
            var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
            foreach (var pool in pools.EnumerateObject())
            {
                builder[pool.Name] = pool.Value.ValueKind == JsonValueKind.Number && pool.Value.TryGetInt32(out var slots) && slots >= 1
                    ? slots
                    : throw new PipelinesConfigException(path, $"{at}.pools.{pool.Name}", $"must be a whole number of slots, 1 or more, not {Describe(pool.Value)}");
            }

            return builder.ToImmutable();
        }

        public void ExpectObject(JsonElement element, string at, string[]? allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new PipelinesConfigException(path, at, $"must be an object, not {Describe(element)}");
            }

            if (allowed is null)
            {
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    throw new PipelinesConfigException(path, $"{at}.{property.Name}", $"is not a known setting; settings here: {string.Join(", ", allowed)}");
                }
            }
        }

        private string? OptionalString(JsonElement element, string name, string at)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw new PipelinesConfigException(path, $"{at}.{name}", $"must be a string, not {Describe(value)}");
        }

        private bool? OptionalBool(JsonElement element, string name, string at)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean()
                : throw new PipelinesConfigException(path, $"{at}.{name}", $"must be true or false, not {Describe(value)}");
        }

        private ImmutableSortedDictionary<string, string> StringMap(JsonElement element, string name, string at)
        {
            if (!element.TryGetProperty(name, out var map))
            {
                return ImmutableSortedDictionary<string, string>.Empty;
            }

            ExpectObject(map, $"{at}.{name}", null);
            var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var property in map.EnumerateObject())
            {
                builder[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => throw new PipelinesConfigException(path, $"{at}.{name}.{property.Name}", $"must be a string, number or bool, not {Describe(property.Value)}"),
                };
            }

            return builder.ToImmutable();
        }

        private static string Describe(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string \"{element.GetString()}\"",
            JsonValueKind.Null => "null",
            _ => element.GetRawText(),
        };
    }
}
