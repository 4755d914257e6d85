using Mono.Cecil;
using Pipelines.Tests.Shared;

namespace Pipelines.Architecture.Tests;

/// <summary>
/// Every library of <c>src/</c> keeps a public API baseline (<c>PublicAPI.Shipped.txt</c> and <c>PublicAPI.Unshipped.txt</c>,
/// checked by the PublicApiAnalyzers at build), and it lists every public type the library exports: a public type cannot
/// be added without the baseline — and the review — seeing it.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Libraries()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "src")).Order(StringComparer.Ordinal))
        {
            var csproj = Path.Combine(dir, Path.GetFileName(dir) + ".csproj");
            if (File.Exists(csproj) && !File.ReadAllText(csproj).Contains("<PackAsTool>true</PackAsTool>", StringComparison.Ordinal))
            {
                data.Add(Path.GetFileName(dir));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Every_public_type_of_a_library_is_in_its_baseline(string project)
    {
        var folder = Path.Combine(RepositoryRoot.Path, "src", project);
        var shipped = Path.Combine(folder, "PublicAPI.Shipped.txt");
        var unshipped = Path.Combine(folder, "PublicAPI.Unshipped.txt");
        Assert.True(File.Exists(shipped) && File.Exists(unshipped), $"{project} has no public API baseline beside its csproj");
        var lines = File.ReadAllLines(shipped).Concat(File.ReadAllLines(unshipped)).ToHashSet(StringComparer.Ordinal);
        using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, project + ".dll"));

        var missing = Exported(module.Types)
            .Select(Name)
            .Where(name => !lines.Contains(name) && !lines.Any(l => l.StartsWith(name + "<", StringComparison.Ordinal)))
            .ToList();

        Assert.True(missing.Count == 0, $"public types of {project} missing from its baseline: {string.Join(", ", missing)}");
    }

    private static IEnumerable<TypeDefinition> Exported(IEnumerable<TypeDefinition> types)
    {
        foreach (var type in types.Where(t => t.IsPublic || t.IsNestedPublic))
        {
            yield return type;
            foreach (var nested in Exported(type.NestedTypes))
            {
                yield return nested;
            }
        }
    }

    // As the baseline writes a type: namespace-qualified, nested types after a dot, generic arity dropped.
    private static string Name(TypeDefinition type)
    {
        var name = type.Name.Split('`')[0];
        return type.DeclaringType is { } outer ? Name(outer) + "." + name : $"{type.Namespace}.{name}";
    }
}
