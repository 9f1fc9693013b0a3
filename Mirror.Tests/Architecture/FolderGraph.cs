using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Mirror.Tests.Architecture;

/// <summary>
/// Which folders of a project use which, read from the compiled assembly (Mono.Cecil, which NetArchTest.Rules
/// reads it with): every type a type names in its signatures, attributes and method bodies (its lambdas'
/// and state machines' too, as nested types), counted for the folder (namespace below the project's root)
/// of the outermost type. The root namespace itself (the composition) is the folder <see cref="Root"/>.
/// </summary>
internal sealed class FolderGraph
{
    public const string Root = "(root)";

    private readonly Dictionary<string, Dictionary<string, string>> _edges = [];

    private FolderGraph(string root) => Namespace = root;

    /// <summary>The project's root namespace.</summary>
    public string Namespace { get; }

    /// <summary>Every folder with a type in it.</summary>
    public IReadOnlyCollection<string> Folders => _edges.Keys;

    public static FolderGraph Of(Assembly assembly, string root)
    {
        var graph = new FolderGraph(root);
        using var module = ModuleDefinition.ReadModule(assembly.Location);
        foreach (var type in module.GetTypes())
        {
            if (graph.FolderOf(type) is not { } from)
            {
                continue;
            }

            graph.Add(from, null, null);
            foreach (var used in Referenced(type))
            {
                if (graph.FolderOf(used) is { } to && to != from)
                {
                    graph.Add(from, to, $"{Outermost(type).Name} uses {Outermost(used).Name}");
                }
            }
        }

        return graph;
    }

    /// <summary>A graph of the uses given, for testing the graph itself.</summary>
    public static FolderGraph From(string root, params (string From, string To)[] uses)
    {
        var graph = new FolderGraph(root);
        foreach (var (from, to) in uses)
        {
            graph.Add(from, to, "given");
            graph.Add(to, null, null);
        }

        return graph;
    }

    /// <summary>The folders <paramref name="folder"/> uses.</summary>
    public IEnumerable<string> Uses(string folder) => _edges.TryGetValue(folder, out var uses) ? uses.Keys : [];

    /// <summary>Why <paramref name="from"/> uses <paramref name="to"/>: one type of it naming one of the other.</summary>
    public string Evidence(string from, string to) => $"{from} -> {to} ({_edges[from][to]})";

    /// <summary>The groups of folders that use each other (strongly connected components of more than one folder).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var (index, low, stack, onStack, cycles) = (new Dictionary<string, int>(), new Dictionary<string, int>(), new Stack<string>(), new HashSet<string>(), new List<IReadOnlyList<string>>());
        void Visit(string folder)
        {
            index[folder] = low[folder] = index.Count;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var next in Uses(folder))
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[folder] = Math.Min(low[folder], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[folder] = Math.Min(low[folder], seen);
                }
            }

            if (low[folder] == index[folder])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != folder);
                if (component.Count > 1)
                {
                    cycles.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var folder in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return cycles;
    }

    private void Add(string from, string? to, string? why)
    {
        var uses = _edges.TryGetValue(from, out var found) ? found : _edges[from] = [];
        if (to is not null)
        {
            uses.TryAdd(to, why!);
        }
    }

    private string? FolderOf(TypeReference type)
    {
        var name = Outermost(type).Namespace;
        if (name == Namespace)
        {
            return Root;
        }

        return name.StartsWith(Namespace + ".", StringComparison.Ordinal) ? name[(Namespace.Length + 1)..].Split('.')[0] : null;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        var direct = new List<TypeReference?> { type.BaseType };
        direct.AddRange(type.Interfaces.Select(i => i.InterfaceType));
        direct.AddRange(type.CustomAttributes.Select(a => a.AttributeType));
        direct.AddRange(type.Fields.Select(f => f.FieldType));
        direct.AddRange(type.Properties.Select(p => p.PropertyType));
        direct.AddRange(type.Events.Select(e => e.EventType));
        foreach (var method in type.Methods)
        {
            direct.Add(method.ReturnType);
            direct.AddRange(method.Parameters.Select(p => p.ParameterType));
            direct.AddRange(method.CustomAttributes.Select(a => a.AttributeType));
            if (method.HasBody)
            {
                direct.AddRange(method.Body.Variables.Select(v => v.VariableType));
                direct.AddRange(method.Body.Instructions.SelectMany(Operand));
            }
        }

        return direct.OfType<TypeReference>().SelectMany(Expand);
    }

    private static IEnumerable<TypeReference?> Operand(Instruction instruction) => instruction.Operand switch
    {
        TypeReference type => [type],
        MethodReference method => [method.DeclaringType, method.ReturnType, .. method.Parameters.Select(p => p.ParameterType), .. (method as GenericInstanceMethod)?.GenericArguments ?? []],
        FieldReference field => [field.DeclaringType, field.FieldType],
        _ => [],
    };

    /// <summary>A type and what it is made of: the element of an array or reference, a generic's arguments.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        yield return type;
        if (type is GenericInstanceType generic)
        {
            foreach (var part in generic.GenericArguments.SelectMany(Expand))
            {
                yield return part;
            }
        }

        if (type is TypeSpecification specification)
        {
            foreach (var part in Expand(specification.ElementType))
            {
                yield return part;
            }
        }
    }
}
