using System.Text.Json;

namespace Pipelines.Environments;

/// <summary>
/// Finds a key that an object of a JSON document holds twice. <see cref="JsonDocument"/> keeps both
/// and a lookup returns the last, so a repeated setting would silently win over the first; the
/// project's files (<c>pipelines.json</c>, the secrets file) refuse it instead.
/// </summary>
internal static class JsonDuplicateKeys
{
    /// <summary>
    /// A repeated key with the JSON path of its object (<c>$.environments.local.vars</c>), or null when
    /// every key is unique. An object's own keys are checked before those of its members.
    /// </summary>
    public static (string ObjectPath, string Key)? Find(JsonElement root)
    {
        // Iterative, so a deeply nested document cannot overflow the stack.
        var work = new Stack<(JsonElement Element, string Path)>();
        work.Push((root, "$"));
        while (work.Count > 0)
        {
            var (element, path) = work.Pop();
            var children = new List<(JsonElement, string)>();
            if (element.ValueKind == JsonValueKind.Object)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        return (path, property.Name);
                    }

                    children.Add((property.Value, $"{path}.{property.Name}"));
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    children.Add((item, $"{path}[{index++}]"));
                }
            }

            // Reversed onto the stack, so members are searched in the order they are written.
            for (var i = children.Count - 1; i >= 0; i--)
            {
                work.Push(children[i]);
            }
        }

        return null;
    }
}
