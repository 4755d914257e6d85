using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Pipelines.Secrets;

/// <summary>
/// Resolves secrets of a local environment from environment variables and an optional JSON file.
/// <list type="bullet">
/// <item>A key resolves from the variable <c>PIPELINES_SECRET_&lt;NAME&gt;_&lt;KEY&gt;</c> (see
/// <see cref="VariableName"/>), else from the file.</item>
/// <item>The file maps secret names to objects of key → value:
/// <c>{ "database-credentials": { "SOURCE_DB_PASSWORD": "..." } }</c>; names and keys match exactly.</item>
/// <item>A whole secret (<see cref="TryResolveAll"/>) is the file's keys plus every variable that starts
/// with <c>PIPELINES_SECRET_&lt;NAME&gt;_</c>; a variable overrides the file key it names. Keys that come
/// from variables are upper-cased with <c>_</c> for other characters, and a variable of a secret whose name
/// extends this one (<c>db</c> and <c>db-admin</c>) is read as a key of both: prefer the file for whole secrets.</item>
/// </list>
/// The environment is read once, when the resolver is created. Messages never contain values.
/// </summary>
public sealed class EnvironmentSecretResolver : ISecretResolver
{
    /// <summary>The prefix of every secret variable.</summary>
    public const string VariablePrefix = "PIPELINES_SECRET_";

    private readonly Dictionary<string, string> _variables;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _file;

    /// <summary>Creates a resolver over the process environment and, when given, a secrets file.</summary>
    /// <param name="secretsFile">The JSON secrets file, or null for none.</param>
    /// <param name="environment">The variables to read instead of the process environment (tests).</param>
    /// <exception cref="FileNotFoundException">The secrets file does not exist.</exception>
    /// <exception cref="InvalidDataException">The secrets file is not an object of objects of string values.</exception>
    public EnvironmentSecretResolver(string? secretsFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        _variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment ?? ReadProcessEnvironment())
        {
            if (name.StartsWith(VariablePrefix, StringComparison.Ordinal))
            {
                _variables[name] = value;
            }
        }

        _file = secretsFile is null ? new Dictionary<string, IReadOnlyDictionary<string, string>>() : SecretsFile.Load(secretsFile);
    }

    /// <summary>
    /// The variable that holds one key: <c>PIPELINES_SECRET_</c> + the secret name + <c>_</c> + the key,
    /// both upper-cased with every character that is not an ASCII letter or digit replaced by <c>_</c>.
    /// <c>("database-credentials", "SOURCE_DB_PASSWORD")</c> → <c>PIPELINES_SECRET_DATABASE_CREDENTIALS_SOURCE_DB_PASSWORD</c>.
    /// </summary>
    public static string VariableName(string secretName, string key) => $"{VariablePrefix}{Normalise(secretName)}_{Normalise(key)}";

    /// <inheritdoc />
    public bool TryResolve(SecretRef secret, [MaybeNullWhen(false)] out string value)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (_variables.TryGetValue(VariableName(secret.Name, secret.Key), out value))
        {
            return true;
        }

        if (_file.TryGetValue(secret.Name, out var keys) && keys.TryGetValue(secret.Key, out value))
        {
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string>? TryResolveAll(string secretName)
    {
        ArgumentNullException.ThrowIfNull(secretName);
        var found = _file.TryGetValue(secretName, out var fromFile);
        var result = fromFile is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(fromFile, StringComparer.Ordinal);
        var prefix = $"{VariablePrefix}{Normalise(secretName)}_";
        foreach (var (name, value) in _variables)
        {
            if (name.Length <= prefix.Length || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            found = true;
            var normalisedKey = name[prefix.Length..];

            // A variable overrides the file key it names, as it does in TryResolve.
            var fileKey = fromFile?.Keys.FirstOrDefault(k => Normalise(k) == normalisedKey);
            result[fileKey ?? normalisedKey] = value;
        }

        return found ? result : null;
    }

    private static string Normalise(string text)
    {
        var normalised = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            normalised.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return normalised.ToString();
    }

    private static IEnumerable<KeyValuePair<string, string>> ReadProcessEnvironment()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                yield return new(name, value);
            }
        }
    }
}
