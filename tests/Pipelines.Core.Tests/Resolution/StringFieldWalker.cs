using System.Collections;
using System.Reflection;

namespace Pipelines.Core.Tests.Resolution;

/// <summary>Finds every string reachable from an object by reflection, with its path — for "no field left out" tests.</summary>
public static class StringFieldWalker
{
    public static List<(string Path, string Value)> Strings(object root)
    {
        var found = new List<(string, string)>();
        Walk(root, "", found, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return found;
    }

    private static void Walk(object? value, string path, List<(string, string)> found, HashSet<object> seen)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                found.Add((path, text));
                return;
            case Type or Delegate or TimeZoneInfo or Enum:
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    Walk(entry.Value, $"{path}.{entry.Key}", found, seen);
                }

                return;
            case IEnumerable items:
                var i = 0;
                foreach (var item in items)
                {
                    Walk(item, $"{path}[{i++}]", found, seen);
                }

                return;
        }

        var type = value.GetType();
        if (type.IsPrimitive || value is decimal or DateTime or DateTimeOffset or TimeSpan || !seen.Add(value))
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            {
                Walk(property.GetValue(value), $"{path}.{property.Name}", found, seen);
            }
        }
    }
}
