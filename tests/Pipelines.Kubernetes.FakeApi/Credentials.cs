using System.Security.Cryptography;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The bearer tokens the server accepts, and the files (ExecCredentials, kubeconfigs) that hand out the current one.</summary>
internal sealed class Credentials
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Action<string>> _writers = new(StringComparer.Ordinal);
    private string _current;
    private int _generation;

    public Credentials()
    {
        _current = NewToken();
        _accepted.Add(_current);
    }

    /// <summary>The token a new client should use.</summary>
    public string Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Whether <paramref name="token"/> is accepted.</summary>
    public bool Accepts(string? token)
    {
        lock (_gate)
        {
            return token is not null && _accepted.Contains(token);
        }
    }

    /// <summary>
    /// Makes a new token current and rewrites every token file; with <paramref name="expire"/> every older token
    /// stops being accepted, otherwise they stay valid.
    /// </summary>
    public string Rotate(bool expire)
    {
        lock (_gate)
        {
            _current = NewToken();
            if (expire)
            {
                _accepted.Clear();
            }

            _accepted.Add(_current);
            foreach (var write in _writers.Values)
            {
                write(_current);
            }

            return _current;
        }
    }

    /// <summary>Writes an ExecCredential file with the current token, rewritten on every rotation.</summary>
    public void AddTokenFile(string path) => AddWriter(path, token => WriteAtomically(path, TokenJson(token)));

    /// <summary>Calls <paramref name="write"/> with the current token now and on every rotation (the last one added per path wins).</summary>
    public void AddWriter(string path, Action<string> write)
    {
        lock (_gate)
        {
            write(_current);
            _writers[path] = write;
        }
    }

    /// <summary>Writes beside and renames, so that a reader (a credential plugin) never sees half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private static string TokenJson(string token) =>
        $$$"""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{token}}}"}}""" + "\n";

    private string NewToken() => $"fake-token-{++_generation}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
}
