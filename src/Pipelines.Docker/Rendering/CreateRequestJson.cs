using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Docker.DotNet.Models;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// The create request as the Engine API's JSON: the names of the models' <c>[JsonPropertyName]</c>
/// attributes (their converters too, so <c>StopTimeout</c> is in seconds); query-string members
/// (<c>Name</c>, <c>Platform</c>) left out. Null, empty strings, empty collections and the zero values
/// of the engine's non-pointer fields are left out as well: the engine reads an absent field as that
/// zero value, so the document means the same as what is sent and shows only what was set.
/// Nullable model members (pointers in the engine) keep <c>false</c> and <c>0</c>: there they mean something.
/// </summary>
internal static class CreateRequestJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { EngineFieldsOnly } },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonObject ToNode(CreateContainerParameters create) =>
        JsonSerializer.SerializeToNode(create, Options)!.AsObject();

    private static void EngineFieldsOnly(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            var property = type.Properties[i];
            if (property.AttributeProvider?.IsDefined(typeof(JsonPropertyNameAttribute), inherit: false) != true)
            {
                type.Properties.RemoveAt(i);
                continue;
            }

            property.ShouldSerialize = IsSet(property.PropertyType);
        }
    }

    private static Func<object, object?, bool> IsSet(Type type)
    {
        if (type == typeof(string))
        {
            return static (_, value) => value is string { Length: > 0 };
        }

        if (type.IsValueType && Nullable.GetUnderlyingType(type) is null)
        {
            var zero = Activator.CreateInstance(type);
            return (_, value) => value is not null && !value.Equals(zero);
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return static (_, value) => value is IEnumerable items && items.GetEnumerator().MoveNext();
        }

        return static (_, value) => value is not null;
    }
}
