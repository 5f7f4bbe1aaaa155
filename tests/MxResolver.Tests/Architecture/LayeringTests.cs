using System.Text.RegularExpressions;
using Mono.Cecil;
using NetArchTest.Rules;

namespace MxResolver.Tests.Architecture;

/// <summary>
/// Holds the library to the layering of <c>docs/architecture.md</c>: each folder of
/// <c>src/MxResolver</c> uses only the folders below it, <c>Dns</c> and <c>Diagnostics</c> use no other
/// folder, and a file's namespace is its folder's (or the root <c>MxResolver</c> for public types).
/// </summary>
/// <remarks>
/// Public types share the root namespace whatever their folder, so a type's folder is read from the
/// source tree (the file that declares it), and its dependencies from the compiled assembly.
/// </remarks>
public sealed partial class LayeringTests
{
    /// <summary>The folders from the bottom up: a folder may use only folders earlier in this list.</summary>
    public static readonly string[] Layers =
    [
        "Diagnostics",
        "Dns",
        "Input",
        "Transport",
        "Configuration",
        "Lookup",
        "Caching",
        "Resolution",
        "Policy",
        "Failover",
        "DependencyInjection",
    ];

    /// <summary>Folders that use no other folder at all: the wire format and the telemetry names.</summary>
    private static readonly string[] Leaves = ["Diagnostics", "Dns"];

    private static readonly Lazy<SourceMap> Map = new(SourceMap.Read);

    public static TheoryData<string> Folders => new(Layers);

    [Fact]
    public void SourceTree_EveryFolder_IsALayer()
    {
        string[] unknown = Map.Value.FolderOfFile.Values.Distinct().Where(folder => !Layers.Contains(folder)).ToArray();
        Assert.True(unknown.Length == 0, $"Folders not placed in the layering (add them to Layers and docs/architecture.md): {string.Join(", ", unknown)}");
        Assert.NotEmpty(Map.Value.FolderOfType);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Folder_UsesOnlyFoldersBelowIt(string folder)
    {
        string[] forbidden = ForbiddenFor(folder);
        TypeFolder[] selected = Map.Value.TypesOf(folder);
        if (selected.Length == 0 || forbidden.Length == 0)
        {
            // A folder not built yet (Policy) or the top of the stack: nothing to hold, but the map
            // must still know the folder's place.
            Assert.Contains(folder, Layers);
            return;
        }

        NetArchTest.Rules.TestResult result = Types.InAssembly(typeof(MailExchangeResolver).Assembly)
            .That()
            .MeetCustomRule(type => Map.Value.FolderOf(type) == folder)
            .ShouldNot()
            .HaveDependencyOnAny(forbidden)
            .GetResult();

        Assert.NotEmpty(result.SelectedTypesForTesting);
        Assert.True(
            result.IsSuccessful,
            $"{folder} uses a folder above it or beside it: "
                + string.Join("; ", (result.FailingTypes ?? []).Select(type => $"{type.FullName} ({type.Explanation})")));
    }

    [Fact]
    public void Files_CarryTheirFoldersNamespace_OrTheRootForPublicTypes()
    {
        var wrong = new List<string>();
        foreach ((string file, string folder) in Map.Value.FolderOfFile)
        {
            string text = File.ReadAllText(file);
            Match declared = NamespaceLine().Match(text);
            string ns = declared.Success ? declared.Groups[1].Value : "(none)";
            if (ns == "MxResolver." + folder)
            {
                continue;
            }

            if (ns == "MxResolver" && TopLevelTypes(text).All(type => type.IsPublic))
            {
                continue;
            }

            wrong.Add($"{Path.GetFileName(file)} in {folder}/ declares namespace {ns}");
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void ForbiddenFor_TheTopFolder_IsEveryTypeAboveNothing()
    {
        // The rule itself: the composition root may use everything; the wire format nothing.
        Assert.Empty(ForbiddenFor("DependencyInjection"));
        Assert.Contains(ForbiddenFor("Dns"), name => name == typeof(MailExchangeResolver).FullName);
        Assert.Contains(ForbiddenFor("Dns"), name => name.StartsWith("MxResolver.Diagnostics.", StringComparison.Ordinal));
        Assert.DoesNotContain(ForbiddenFor("Lookup"), name => name.StartsWith("MxResolver.Transport.", StringComparison.Ordinal));
    }

    /// <summary>The full names of every type the folder must not use: those of the folders above it (every other folder for a leaf).</summary>
    private static string[] ForbiddenFor(string folder)
    {
        int level = Array.IndexOf(Layers, folder);
        bool leaf = Leaves.Contains(folder);
        return Map.Value.FolderOfType
            .Where(pair => pair.Value != folder && (leaf || Array.IndexOf(Layers, pair.Value) > level))
            .Select(pair => pair.Key)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static IEnumerable<(string Name, bool IsPublic)> TopLevelTypes(string text)
    {
        foreach (Match match in TopLevelTypeDeclaration().Matches(text))
        {
            // Compiled names carry the generic arity (MxFailoverResult`1).
            string name = match.Groups["name"].Value;
            if (match.Groups["generic"].Success)
            {
                name += "`" + (match.Groups["generic"].Value.Count(c => c == ',') + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            yield return (name, match.Groups["modifiers"].Value.Contains("public", StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    // Top-level declarations start at column 0 in this code base (file-scoped namespaces).
    [GeneratedRegex(@"^(?<modifiers>(?:(?:public|internal|file|static|sealed|abstract|readonly|partial|ref)\s+)*)(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\]?,\s]+?)\s+(?<name>[A-Z]\w*)(?<generic><[^>]*>)?", RegexOptions.Multiline)]
    private static partial Regex TopLevelTypeDeclaration();

    private sealed record TypeFolder(string FullName, string Folder);

    /// <summary>Which folder of <c>src/MxResolver</c> declares each type, read from the sources.</summary>
    private sealed class SourceMap
    {
        public Dictionary<string, string> FolderOfType { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> FolderOfFile { get; } = new(StringComparer.Ordinal);

        public static SourceMap Read()
        {
            string root = Path.Combine(RepositoryRoot(), "src", "MxResolver");
            var map = new SourceMap();
            foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file);
                string[] parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Length < 2 || parts[0] is "bin" or "obj")
                {
                    continue;
                }

                string folder = parts[0];
                map.FolderOfFile[file] = folder;
                string text = File.ReadAllText(file);
                Match declared = NamespaceLine().Match(text);
                if (!declared.Success)
                {
                    continue;
                }

                foreach ((string name, _) in TopLevelTypes(text))
                {
                    map.FolderOfType.TryAdd(declared.Groups[1].Value + "." + name, folder);
                }
            }

            return map;
        }

        /// <summary>The folder of a compiled type: its own, its declaring type's, or none for generated code outside the sources.</summary>
        public string? FolderOf(TypeDefinition type)
        {
            while (type.DeclaringType is not null)
            {
                type = type.DeclaringType;
            }

            return FolderOfType.TryGetValue(type.FullName, out string? folder) ? folder : null;
        }

        public TypeFolder[] TypesOf(string folder)
            => FolderOfType.Where(pair => pair.Value == folder).Select(pair => new TypeFolder(pair.Key, pair.Value)).ToArray();

        private static string RepositoryRoot()
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MxResolver.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No MxResolver.sln above {AppContext.BaseDirectory}: the layering test reads the sources.");
        }
    }
}
