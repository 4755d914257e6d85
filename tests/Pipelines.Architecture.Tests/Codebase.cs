using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Mono.Cecil;
using Pipelines.Tests.Shared;
using GenericParameter = Mono.Cecil.GenericParameter;
using ModuleDefinition = Mono.Cecil.ModuleDefinition;
using TypeDefinition = Mono.Cecil.TypeDefinition;
using TypeReference = Mono.Cecil.TypeReference;
using TypeSpecification = Mono.Cecil.TypeSpecification;

namespace Pipelines.Architecture.Tests;

/// <summary>A type of a library of <c>src/</c> and where its source is: the project and the folder within it.</summary>
/// <param name="Project">The project (assembly) name, such as <c>Pipelines.Core</c>.</param>
/// <param name="Folder">The folder of its source file under the project, <c>/</c>-separated; empty at the project's root.</param>
/// <param name="FullName">The type's full name.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="File">Its source file, relative to the repository.</param>
internal sealed record SourceType(string Project, string Folder, string FullName, string Namespace, string File)
{
    /// <summary>The folder as a node of the dependency graph: <c>Pipelines.Core/Templating/Parsing</c>.</summary>
    public string Node => Folder.Length == 0 ? Project : $"{Project}/{Folder}";
}

/// <summary>Why one folder depends on another: a type of the first uses a type of the second.</summary>
internal sealed record Use(string From, string To, string UserType, string UsedType);

/// <summary>
/// The libraries of <c>src/</c> as compiled: every type with the folder of its source (from the portable PDB), and
/// every use of a type of another folder — in signatures, fields, attributes and method bodies, which reflection cannot see.
/// </summary>
internal sealed class Codebase
{
    // Roslyn's record of the documents of a type that has no method body with sequence points (interfaces, enums, records without code).
    private static readonly Guid TypeDefinitionDocuments = new("932E74BC-DBA9-4478-8D46-0F32A7BAB3D3");

    private Codebase(IReadOnlyList<string> projects, IReadOnlyDictionary<string, SourceType> types, IReadOnlyList<Use> uses)
    {
        Projects = projects;
        Types = types;
        Uses = uses;
    }

    public static Codebase Current { get; } = Load();

    /// <summary>The project names: one per folder of <c>src/</c> that holds a project file.</summary>
    public IReadOnlyList<string> Projects { get; }

    /// <summary>Every type with a source file in its project, by full name (nested and compiler-made types count as their outermost type).</summary>
    public IReadOnlyDictionary<string, SourceType> Types { get; }

    /// <summary>One use per pair of types of different folders.</summary>
    public IReadOnlyList<Use> Uses { get; }

    private static Codebase Load()
    {
        var src = Path.Combine(RepositoryRoot.Path, "src");
        var projects = Directory.GetDirectories(src)
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToList();
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(AppContext.BaseDirectory);
        var modules = projects.Select(p => ModuleDefinition.ReadModule(
            Path.Combine(AppContext.BaseDirectory, p + ".dll"),
            new ReaderParameters { ReadSymbols = true, AssemblyResolver = resolver })).ToList();

        var types = new Dictionary<string, SourceType>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            var documents = TypeDocuments(module);
            foreach (var type in module.Types.Where(t => t.Namespace.StartsWith("Pipelines", StringComparison.Ordinal)))
            {
                if (documents.TryGetValue(type.MetadataToken.RID, out var file) && ProjectFolder(module.Assembly.Name.Name, file) is { } folder)
                {
                    types[type.FullName] = new SourceType(module.Assembly.Name.Name, folder, type.FullName, type.Namespace, file[(file.IndexOf("/src/", StringComparison.Ordinal) + 1)..]);
                }
            }
        }

        var uses = new Dictionary<(string, string), Use>();
        foreach (var module in modules)
        {
            foreach (var type in module.GetTypes())
            {
                if (!types.TryGetValue(Outermost(type).FullName, out var user))
                {
                    continue;
                }

                foreach (var used in UsedTypes(type))
                {
                    if (types.TryGetValue(Outermost(used).FullName, out var target) && target.Node != user.Node && !uses.ContainsKey((user.Node, target.Node)))
                    {
                        uses[(user.Node, target.Node)] = new Use(user.Node, target.Node, user.FullName, target.FullName);
                    }
                }
            }
        }

        return new Codebase(projects!, types, [.. uses.Values]);
    }

    /// <summary>The folder of <paramref name="file"/> under project <paramref name="project"/>, or null for a file outside it (generated code).</summary>
    internal static string? ProjectFolder(string project, string file)
    {
        var marker = $"/src/{project}/";
        var at = file.Replace('\\', '/').IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var relative = file.Replace('\\', '/')[(at + marker.Length)..];
        return relative.StartsWith("obj/", StringComparison.Ordinal) ? null : Path.GetDirectoryName(relative)!.Replace('\\', '/');
    }

    // The source file of each top-level type, by its row in the TypeDef table: the first document of its
    // methods' sequence points that is in the project, else Roslyn's TypeDefinitionDocuments record.
    private static Dictionary<uint, string> TypeDocuments(ModuleDefinition module)
    {
        var files = new Dictionary<uint, string>();
        foreach (var type in module.Types)
        {
            var file = type.Methods
                .Where(m => m.DebugInformation.HasSequencePoints)
                .SelectMany(m => m.DebugInformation.SequencePoints)
                .Select(p => p.Document.Url)
                .FirstOrDefault(u => ProjectFolder(module.Assembly.Name.Name, u) is not null);
            if (file is not null)
            {
                files[type.MetadataToken.RID] = file;
            }
        }

        var pdb = Path.ChangeExtension(module.FileName, ".pdb");
        using var stream = File.OpenRead(pdb);
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        foreach (var handle in reader.CustomDebugInformation)
        {
            var info = reader.GetCustomDebugInformation(handle);
            if (info.Parent.Kind != HandleKind.TypeDefinition || reader.GetGuid(info.Kind) != TypeDefinitionDocuments)
            {
                continue;
            }

            var row = (uint)MetadataTokens.GetRowNumber((TypeDefinitionHandle)info.Parent);
            var blob = reader.GetBlobReader(info.Value);
            while (blob.RemainingBytes > 0)
            {
                var document = reader.GetDocument(MetadataTokens.DocumentHandle(blob.ReadCompressedInteger()));
                var url = reader.GetString(document.Name);
                if (ProjectFolder(module.Assembly.Name.Name, url) is not null)
                {
                    files.TryAdd(row, url);
                    break;
                }
            }
        }

        return files;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    // Every type a type names: base, interfaces, fields, properties, events, attributes, signatures, generic
    // constraints, and in method bodies locals, catch clauses and the operands of instructions.
    internal static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            switch (t)
            {
                case null:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }

                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType);
                    return;
                case GenericParameter parameter:
                    foreach (var constraint in parameter.Constraints)
                    {
                        Add(constraint.ConstraintType);
                    }

                    return;
                default:
                    found.Add(t);
                    return;
            }
        }

        void AddAttributes(Mono.Cecil.ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments)
                {
                    if (argument.Value is TypeReference typeArgument)
                    {
                        Add(typeArgument);
                    }
                }
            }
        }

        void AddMethod(MethodReference method)
        {
            Add(method.DeclaringType);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
            }

            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var parameter in type.GenericParameters)
        {
            Add(parameter);
        }

        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var @event in type.Events)
        {
            Add(@event.EventType);
        }

        foreach (var method in type.Methods)
        {
            AddMethod(method);
            AddAttributes(method);
            foreach (var parameter in method.GenericParameters)
            {
                Add(parameter);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var handler in method.Body.ExceptionHandlers)
            {
                Add(handler.CatchType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference operand:
                        Add(operand);
                        break;
                    case MethodReference operand:
                        AddMethod(operand);
                        break;
                    case FieldReference operand:
                        Add(operand.DeclaringType);
                        Add(operand.FieldType);
                        break;
                }
            }
        }

        return found;
    }
}
