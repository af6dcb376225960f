using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// Resolves the <c>import</c>s of one isolate (static ones while V8 links a module, <c>import()</c> at any time, from
/// ES modules and CommonJS code alike) and hands V8 their source: Node's built-ins and Granary's own modules (through the
/// bootstrap, with <c>require</c>'s allow-list), the function's npm packages (resolved on the host, under the packages root
/// only, with the <c>import</c> condition), and the function's own module. Each module is read and compiled once per
/// isolate: a document is kept per resolved file, and V8 keeps the module it compiled from it.
/// </summary>
internal sealed class ModuleLoader(V8Isolate isolate, IsolateHost host) : DocumentLoader
{
    /// <summary>The specifier the host's entry module imports the function's module by; nothing else resolves it.</summary>
    public const string FunctionSpecifier = "granary:function";

    /// <summary>The name of the host's entry module, which imports the function's module and hands its namespace back.</summary>
    public const string EntryName = "granary-entry.mjs";

    private readonly Dictionary<string, Document> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string Specifier), Document> _resolved = [];
    private Document? _function;

    /// <summary>Gets the document of the function's module (its name, code and <c>import.meta.url</c>) once it is set.</summary>
    public Document? Function => _function;

    /// <summary>Sets the function's own module.</summary>
    public DocumentInfo SetFunction(string name, string code)
    {
        var url = "file:///function/" + name + ".mjs";
        var info = new DocumentInfo(name + ".mjs") { Category = ModuleCategory.Standard, ContextCallback = _ => new Dictionary<string, object> { ["url"] = url } };
        _function = new StringDocument(info, code);
        return info;
    }

    /// <inheritdoc/>
    public override Task<Document> LoadDocumentAsync(DocumentSettings settings, DocumentInfo? sourceInfo, string specifier, DocumentCategory category, DocumentContextCallback contextCallback) =>
        Task.FromResult(LoadDocument(settings, sourceInfo, specifier, category, contextCallback));

    /// <inheritdoc/>
    public override Document LoadDocument(DocumentSettings settings, DocumentInfo? sourceInfo, string specifier, DocumentCategory category, DocumentContextCallback contextCallback)
    {
        ArgumentNullException.ThrowIfNull(specifier);
        var referrer = sourceInfo?.Name ?? "";
        if (specifier == FunctionSpecifier && referrer == EntryName && _function is { } function)
        {
            return function;
        }

        // A package file's documents are named by their full path; everything else (the function's module, its CommonJS
        // code, the bootstrap that runs package code) imports from the function, which has no files of its own.
        var from = referrer.StartsWith('/') ? Path.GetDirectoryName(referrer) ?? "" : "";
        if (_resolved.TryGetValue((from, specifier), out var known))
        {
            return known;
        }

        var document = Load(from, specifier);
        _resolved[(from, specifier)] = document;
        return document;
    }

    private Document Load(string from, string specifier)
    {
        var builtinKey = "builtin:" + specifier;
        if (_documents.TryGetValue(builtinKey, out var builtin))
        {
            return builtin;
        }

        if (isolate.BuiltinShim(specifier) is { } shim)
        {
            return _documents[builtinKey] = Shim(specifier, shim);
        }

        var path = host.ResolveImport(from, specifier);
        if (path is null)
        {
            var bare = !(specifier.StartsWith('.') || specifier.StartsWith('/') || specifier.StartsWith('#'));
            var where = from.Length == 0 ? "" : $" imported from '{from}'";
            throw new FileNotFoundException(bare
                ? $"Cannot find package '{specifier}'{where}: an npm package must be listed in the function's dependencies to be installed"
                : $"Cannot find module '{specifier}'{where}");
        }

        if (_documents.TryGetValue(path, out var loaded))
        {
            return loaded;
        }

        Document document;
        if (host.PackageFormat(path) == "module")
        {
            var code = host.ReadPackageFile(path) ?? throw new FileNotFoundException($"Cannot find module '{path}'");
            var url = "file://" + path;
            document = new StringDocument(new DocumentInfo(path) { Category = ModuleCategory.Standard, ContextCallback = _ => new Dictionary<string, object> { ["url"] = url } }, code);
        }
        else
        {
            document = Shim(path, isolate.PackageShim(path));
        }

        return _documents[path] = document;
    }

    // A module whose exports are those of a CommonJS module (or a built-in) the bootstrap has loaded.
    private static StringDocument Shim(string name, ScriptObject shim)
    {
        var exports = shim.GetProperty("exports");
        var source = (string)shim.GetProperty("source");
        var info = new DocumentInfo(name) { Category = ModuleCategory.Standard, ContextCallback = _ => new Dictionary<string, object> { ["granary"] = exports } };
        return new StringDocument(info, source);
    }
}
